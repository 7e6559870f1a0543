"""Equity-curve metrics: returns, Sharpe, Sortino, drawdown and CAGR. Plain floats or None out."""

from __future__ import annotations

import math

import numpy as np


def bar_returns(equity: np.ndarray) -> np.ndarray:
    """Per-bar simple returns ``equity[t] / equity[t-1] - 1`` for t = 1..n-1 (n - 1 values, fraction)."""
    eq = np.asarray(equity, dtype=np.float64)
    return eq[1:] / eq[:-1] - 1.0


def sharpe_ratio(returns: np.ndarray, bars_per_year: float) -> float | None:
    """Annualised Sharpe: ``mean(r) / std(r, ddof=1) * sqrt(bars_per_year)``, risk-free rate 0.

    None with fewer than 2 returns or zero standard deviation (undefined). Example: about 1.2 for a decent
    hourly strategy with ``bars_per_year=8760``.
    """
    if returns.shape[0] < 2:
        return None
    std = float(np.std(returns, ddof=1))
    if std == 0.0 or not math.isfinite(std):
        return None
    return float(np.mean(returns)) / std * math.sqrt(bars_per_year)


def sortino_ratio(returns: np.ndarray, bars_per_year: float) -> float | None:
    """Annualised Sortino: ``mean(r) / sqrt(mean(min(r, 0)^2)) * sqrt(bars_per_year)`` over all returns.

    None with no returns or no negative return (zero downside deviation). Example: 1.8.
    """
    if returns.shape[0] == 0:
        return None
    downside = math.sqrt(float(np.mean(np.minimum(returns, 0.0) ** 2)))
    if downside == 0.0:
        return None
    return float(np.mean(returns)) / downside * math.sqrt(bars_per_year)


def max_drawdown(equity: np.ndarray) -> float:
    """Largest peak-to-trough fall as a positive fraction of the peak: ``max(1 - equity / cummax(equity))``.

    0.0 for a curve that never falls. Example: 0.25 for 100 → 120 → 90 → 130.
    """
    eq = np.asarray(equity, dtype=np.float64)
    return float(np.max(1.0 - eq / np.maximum.accumulate(eq)))


def cagr(initial: float, final: float, n_bars: int, bars_per_year: float) -> float | None:
    """Compound annual growth ``(final / initial) ** (1 / years) - 1``, ``years = n_bars / bars_per_year``.

    -1.0 when ``final <= 0`` (the account is wiped out); None with no bars. Example: 0.35 = +35 %/year.
    """
    if n_bars <= 0:
        return None
    if final <= 0.0:
        return -1.0
    years = n_bars / bars_per_year
    try:
        return (final / initial) ** (1.0 / years) - 1.0
    except OverflowError:
        # a huge ratio over a tiny span (e.g. 10x in 3 bars) has no finite annual rate
        return math.inf
