"""Results of a simulation: closed trades, the per-bar equity curve and the run summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

MetricValue = float | int | None
"""A metric is a number, or None when it is undefined (for example win_rate with no trades)."""

TRADE_FIELDS: tuple[str, ...] = (
    "entry_ts",
    "exit_ts",
    "entry_price",
    "exit_price",
    "units",
    "entry_fee",
    "exit_fee",
    "pnl",
    "return",
)


@dataclass(frozen=True, eq=False)
class Trades:
    """Closed trades, column-wise. A trade is one entry fill plus its exit fill.

    Times are int64 UTC ns of the fill bars' open; prices are fill prices after slippage; ``pnl`` is net of
    both fees in quote currency; ``ret`` is pnl divided by the cash committed at entry (fees included).
    ``units`` is positive for longs and negative for shorts.
    """

    entry_ts: np.ndarray
    exit_ts: np.ndarray
    entry_price: np.ndarray
    exit_price: np.ndarray
    units: np.ndarray
    entry_fee: np.ndarray
    exit_fee: np.ndarray
    pnl: np.ndarray
    ret: np.ndarray

    def __len__(self) -> int:
        return int(self.pnl.shape[0])

    @classmethod
    def empty(cls) -> Trades:
        """No trades."""
        i64, f64 = np.empty(0, np.int64), np.empty(0, np.float64)
        return cls(i64, i64, f64, f64, f64, f64, f64, f64, f64)

    def to_columns(self) -> dict[str, np.ndarray]:
        """The ``trades.csv`` columns in order; the two time columns stay int64 UTC ns."""
        return {
            "entry_time": self.entry_ts,
            "exit_time": self.exit_ts,
            "entry_price": self.entry_price,
            "exit_price": self.exit_price,
            "units": self.units,
            "entry_fee": self.entry_fee,
            "exit_fee": self.exit_fee,
            "pnl": self.pnl,
            "return": self.ret,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per trade with ISO-8601 UTC times, as written to ``trades.csv``."""
        import pandas as pd  # deferred: ~0.5 s, and config-only paths never need it

        columns: dict[str, object] = dict(self.to_columns())
        for name in ("entry_time", "exit_time"):
            columns[name] = pd.to_datetime(columns[name], utc=True)
        return pd.DataFrame(columns)


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """What the engine returns for one instrument.

    ``equity[t] = cash[t] + units[t] * close[t]`` at the close of bar t; ``units[t]`` is the position held
    at that close. An open position at the end is marked to the last close and is not in ``trades``.
    """

    ts: np.ndarray
    equity: np.ndarray
    cash: np.ndarray
    units: np.ndarray
    trades: Trades
    initial_cash: float

    def equity_frame(self) -> pd.DataFrame:
        """The per-bar curve as written to ``equity.parquet`` (``ts`` stays int64 UTC ns)."""
        import pandas as pd  # deferred: ~0.5 s, and config-only paths never need it

        return pd.DataFrame({"ts": self.ts, "equity": self.equity, "cash": self.cash, "units": self.units})


@dataclass(frozen=True, eq=False)
class SleeveRun:
    """One sleeve of a portfolio run: its own equity (initial share + its profit and loss), trades and
    metrics. ``backtest.cash`` is the sleeve's ledger inside the shared account."""

    name: str
    symbol: str
    strategy: str
    weight: float
    backtest: BacktestResult
    metrics: Mapping[str, MetricValue]


@dataclass(frozen=True, eq=False)
class RunResult:
    """A finished run: the simulation, its metrics and the lineage needed to reproduce it.

    For a portfolio, ``backtest`` is the whole account (``units`` there is the gross exposure in quote
    currency, and ``trades`` every sleeve's trades by exit time), ``sleeves`` has one entry per sleeve
    and ``correlation`` the Pearson correlation of the sleeves' per-bar profit and loss (NaN where a
    sleeve never moved).
    """

    backtest: BacktestResult
    metrics: Mapping[str, MetricValue]
    data_fingerprint: str
    symbol: str
    timeframe: str
    lineage: Mapping[str, str] = field(default_factory=dict)
    sleeves: tuple[SleeveRun, ...] = ()
    correlation: np.ndarray | None = None
