"""What the run report derives from ``equity.parquet``: drawdown, monthly returns and the distribution of
daily returns. Everything is computed from the logged curve, never re-simulated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from peak.core.errors import TrackingError
from peak.metrics import bar_returns

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Curve:
    """The run's account curve: ``ts`` (``datetime64[ns]``, UTC bar open times) and ``equity`` (quote
    currency); ``frame`` keeps every column of equity.parquet (sleeve curves of a portfolio)."""

    ts: np.ndarray
    equity: np.ndarray
    frame: pd.DataFrame

    @property
    def sleeves(self) -> tuple[str, ...]:
        """Sleeve names of a portfolio (columns ``equity.<sleeve>``), empty for a single book."""
        return tuple(c.split(".", 1)[1] for c in self.frame.columns if str(c).startswith("equity."))


def read_curve(path: Path, what: str = "equity.parquet") -> Curve:
    """Read an equity parquet file (``ts`` int64 UTC nanoseconds, ``equity``)."""
    frame = pd.read_parquet(path)
    if "ts" not in frame.columns or "equity" not in frame.columns or frame.empty:
        raise TrackingError(f"{what} at {path} needs non-empty 'ts' and 'equity' columns")
    ts = frame["ts"].to_numpy(dtype=np.int64).astype("datetime64[ns]")
    return Curve(ts, frame["equity"].to_numpy(dtype=np.float64), frame)


def drawdown(equity: np.ndarray) -> np.ndarray:
    """Per-bar drawdown from the running peak as a negative fraction: ``equity / cummax(equity) - 1``
    (0.0 at a new high, -0.25 a quarter below it)."""
    return equity / np.maximum.accumulate(equity) - 1.0


def _period_ends(curve: Curve, freq: str) -> pd.Series:
    """The last equity of each period (``ME`` month, ``D`` day), indexed by period end."""
    series = pd.Series(curve.equity, index=pd.DatetimeIndex(curve.ts, tz="UTC"))
    return series.resample(freq).last().dropna()


def period_returns(curve: Curve, freq: str) -> pd.Series:
    """Simple returns per calendar period; the first period is measured from the first bar's equity."""
    ends = _period_ends(curve, freq)
    previous = ends.shift(1)
    previous.iloc[0] = curve.equity[0]
    return ends / previous - 1.0


def monthly_table(curve: Curve) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """(years, ``returns[year, month]`` with NaN for months outside the run, ``year_total``)."""
    monthly = period_returns(curve, "ME")
    years = sorted({ts.year for ts in monthly.index})
    grid = np.full((len(years), 12), np.nan)
    for ts, value in monthly.items():
        grid[years.index(ts.year), ts.month - 1] = value
    totals = np.array([np.prod(1.0 + row[~np.isnan(row)]) - 1.0 for row in grid])
    return tuple(str(y) for y in years), grid, totals


@dataclass(frozen=True)
class Distribution:
    """Daily returns (or bar returns for bars of a day or longer) and their moments."""

    label: str
    returns: np.ndarray
    mean: float
    std: float
    skew: float
    kurtosis: float
    best: float
    worst: float
    positive_share: float


def return_distribution(curve: Curve, bar_ns: int) -> Distribution:
    """Daily returns when bars are shorter than a day, else bar returns; moments use every value."""
    if bar_ns < 86_400 * 10**9:
        values, label = period_returns(curve, "D").to_numpy(dtype=np.float64), "daily"
    else:
        values, label = bar_returns(curve.equity), "per bar"
    values = values[np.isfinite(values)]
    if values.size < 2:
        nan = float("nan")
        return Distribution(label, values, nan, nan, nan, nan, nan, nan, nan)
    series = pd.Series(values)
    return Distribution(
        label=label,
        returns=values,
        mean=float(values.mean()),
        std=float(values.std(ddof=1)),
        skew=float(series.skew()),
        kurtosis=float(series.kurt()),
        best=float(values.max()),
        worst=float(values.min()),
        positive_share=float(np.count_nonzero(values > 0) / values.size),
    )
