"""``simulate_portfolio``: align the symbols, pack the sleeves, run the portfolio kernel, wrap the results.

Also the path for a single-symbol run whose execution model needs more than the flat fee and fixed
slippage of ``engine.simulate`` (maker/taker fees, range slippage, volume cap, order rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from peak.backtest import portfolio_fills as pf
from peak.backtest import portfolio_kernel as pk
from peak.backtest.align import AlignedBars, align_bars
from peak.backtest.engine import BPS, _kernel_params, _Rules, _trades_from_buffers
from peak.backtest.kernel import N_FLOAT_COLS
from peak.core.bars import Bars
from peak.core.results import BacktestResult, Trades
from peak.core.timeframe import Timeframe
from peak.execution.config import ExecutionConfig
from peak.portfolio.sizing import AllIn, Sizing

_MONDAY_NS = 4 * 86_400 * 10**9
"""1970-01-01 was a Thursday; weekly periods are counted from Monday 1970-01-05 00:00 UTC."""

_REBALANCE_CODES = {
    "none": pf.REBALANCE_NONE,
    "on_signal": pf.REBALANCE_ON_SIGNAL,
    "periodic": pf.REBALANCE_PERIODIC,
}


@dataclass(frozen=True, eq=False)
class SleeveSpec:
    """One sleeve for the engine: its target on its own symbol's bars and its rules.

    Example: ``SleeveSpec("btc_rsi", "BTC/USDT", 0.25, target=rsi_targets)``.
    """

    name: str
    symbol: str
    weight: float
    target: np.ndarray
    allow_short: bool = False
    stop_loss: float | None = None
    take_profit: float | None = None
    trailing_stop: float | None = None
    sizing: Sizing = field(default_factory=AllIn)


@dataclass(frozen=True)
class Account:
    """The shared account: capital, rebalancing, leverage cap and the missing-bar policy."""

    initial_cash: float = 10_000.0
    rebalance: str = "none"
    rebalance_every: str | None = None
    rebalance_threshold: float = 0.0
    max_leverage: float = 1.0
    missing_bars: str = "hold"


@dataclass(frozen=True, eq=False)
class PortfolioSimulation:
    """The whole account (``total.units`` is gross exposure in quote currency) and one result per sleeve
    on the shared timeline ``aligned.ts``; ``sleeve_trade_of[k]`` is the sleeve of ``total.trades[k]``."""

    aligned: AlignedBars
    total: BacktestResult
    sleeves: tuple[BacktestResult, ...]
    sleeve_trade_of: np.ndarray


def rebalance_bars(ts: np.ndarray, every: str | None) -> np.ndarray:
    """True at the first bar of each calendar period (never at bar 0). Example: ``every="1d"`` marks the
    first bar on or after each 00:00 UTC."""
    flags = np.zeros(ts.shape[0], dtype=np.bool_)
    if every is None or ts.shape[0] < 2:
        return flags
    period = Timeframe.parse(every)
    offset = _MONDAY_NS if period.text.endswith("w") else 0
    bucket = (ts - offset) // period.ns
    flags[1:] = bucket[1:] != bucket[:-1]
    return flags


def _global_params(execution: ExecutionConfig, account: Account) -> np.ndarray:
    gp = np.zeros(pf.N_GLOBAL)
    gp[pf.G_MAKER_FEE], gp[pf.G_TAKER_FEE] = execution.fee_rates()
    if execution.slippage_model == "range":
        gp[pf.G_SLIP_KIND], gp[pf.G_SLIP] = pf.SLIP_RANGE, float(execution.range_share or 0.0)
    else:
        gp[pf.G_SLIP_KIND], gp[pf.G_SLIP] = pf.SLIP_FIXED, float(execution.slippage_bps or 0.0) / BPS
    gp[pf.G_VOLUME_CAP] = float(execution.volume_cap or 0.0)
    gp[pf.G_INITIAL_CASH] = float(account.initial_cash)
    gp[pf.G_MAX_LEVERAGE] = float(account.max_leverage)
    gp[pf.G_REBALANCE] = _REBALANCE_CODES[account.rebalance]
    gp[pf.G_REBALANCE_THRESHOLD] = float(account.rebalance_threshold)
    return gp


def _sleeve_params(
    sleeves: Sequence[SleeveSpec], bars: Sequence[Bars], row_of: dict[str, int], execution: ExecutionConfig
) -> np.ndarray:
    sp = np.zeros((len(sleeves), pf.N_SLEEVE_PARAMS))
    for i, sleeve in enumerate(sleeves):
        s = row_of[sleeve.symbol]
        rules = _Rules(
            sleeve.allow_short, sleeve.stop_loss, sleeve.take_profit, sleeve.trailing_stop, sleeve.sizing
        )
        sp[i, : pf.S_WEIGHT] = _kernel_params(bars[s], (0.0, 0.0, 1.0), rules)
        sp[i, pf.S_WEIGHT], sp[i, pf.S_SYMBOL] = sleeve.weight, s
        order = execution.symbols.get(sleeve.symbol)
        if order is not None:
            sp[i, pf.S_LOT] = order.lot_size or 0.0
            sp[i, pf.S_MIN_QTY], sp[i, pf.S_MIN_NOTIONAL] = order.min_qty, order.min_notional
    return sp


def _targets(
    sleeves: Sequence[SleeveSpec], bars: Sequence[Bars], row_of: dict[str, int], al: AlignedBars
) -> np.ndarray:
    out = np.empty((len(sleeves), al.ts.shape[0]))
    for i, sleeve in enumerate(sleeves):
        s = row_of[sleeve.symbol]
        own = np.asarray(sleeve.target, dtype=np.float64)
        if own.shape != (len(bars[s]),):
            raise ValueError(f"sleeve {sleeve.name!r}: target shape {own.shape}, expected ({len(bars[s])},)")
        if np.isnan(own[-1]):
            raise ValueError(f"sleeve {sleeve.name!r}: target holds NaN at index {len(own) - 1}")
        out[i] = al.carry(s, own)
    return out


def _select(trades: Trades, mask: np.ndarray) -> Trades:
    return Trades(**{name: getattr(trades, name)[mask] for name in trades.__dataclass_fields__})


def simulate_portfolio(
    bars: Sequence[Bars], sleeves: Sequence[SleeveSpec], *, execution: ExecutionConfig, account: Account
) -> PortfolioSimulation:
    """Simulate ``sleeves`` on one shared cash account; ``bars`` holds each symbol once.

    Weights must sum to 1. The accounting and fill rules are in ``portfolio_kernel`` and docs/portfolio.md.
    Example: ``simulate_portfolio([btc, eth], [SleeveSpec("a", "BTC/USDT", 0.5, ta), SleeveSpec("b",
    "ETH/USDT", 0.5, tb)], execution=ExecutionConfig(), account=Account())``.
    """
    row_of = {b.symbol: s for s, b in enumerate(bars)}
    missing = sorted({sl.symbol for sl in sleeves} - set(row_of))
    if missing:
        raise ValueError(f"no bars for sleeve symbol(s) {', '.join(missing)}")
    total_weight = sum(sl.weight for sl in sleeves)
    if not sleeves or abs(total_weight - 1.0) > 1e-9:
        raise ValueError(f"sleeve weights must sum to 1.0; got {total_weight}")
    al = align_bars(bars, account.missing_bars)
    n_sleeves, n_bars = len(sleeves), al.ts.shape[0]
    target = _targets(sleeves, bars, row_of, al)
    totals = np.empty((3, n_bars))
    sleeve_equity, sleeve_units, sleeve_cash = (np.empty((n_sleeves, n_bars)) for _ in range(3))
    rows = 2 * n_sleeves * n_bars  # np.empty reserves address space; untouched rows cost nothing
    fbuf, ibuf = np.empty((rows, N_FLOAT_COLS)), np.empty((rows, pf.N_PORTFOLIO_INT_COLS), dtype=np.int64)
    n = pk.simulate_portfolio_kernel(
        al.open,
        al.high,
        al.low,
        al.volume,
        al.mark,
        al.present,
        target,
        rebalance_bars(al.ts, account.rebalance_every),
        _sleeve_params(sleeves, bars, row_of, execution),
        _global_params(execution, account),
        totals,
        sleeve_equity,
        sleeve_units,
        sleeve_cash,
        fbuf,
        ibuf,
    )
    if n < 0:
        i, t = divmod(-1 - n, n_bars)
        raise ValueError(
            f"sleeve {sleeves[i].name!r}: target holds NaN at timeline index {t}; use 0.0 for flat"
        )
    trades = _trades_from_buffers(al.ts, fbuf, ibuf, n)
    owner = ibuf[:n, pf.COL_SLEEVE].copy()
    per_sleeve = tuple(
        BacktestResult(
            ts=al.ts,
            equity=sleeve_equity[i],
            cash=sleeve_cash[i],
            units=sleeve_units[i],
            trades=_select(trades, owner == i),
            initial_cash=account.initial_cash * sl.weight,
        )
        for i, sl in enumerate(sleeves)
    )
    total = BacktestResult(
        ts=al.ts,
        equity=totals[0],
        cash=totals[1],
        units=totals[2],
        trades=trades,
        initial_cash=float(account.initial_cash),
    )
    return PortfolioSimulation(aligned=al, total=total, sleeves=per_sleeve, sleeve_trade_of=owner)
