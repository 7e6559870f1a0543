"""Moving-average crossover: long while the fast SMA of close is above the slow one."""

from __future__ import annotations

import numpy as np
from numba import njit

from peak.core.bars import Bars
from peak.indicators import anchor_mask, exact_window_sum, slide_window_sum
from peak.strategies.config import MACrossoverConfig

CROSS_REL_TOL = 1e-12
"""Fast must exceed slow by more than this fraction of |slow| to count as "above".

Two mathematically equal averages (a flat market, or windows whose sums happen to tie: this occurs on the real
hourly BTC/ETH data) can differ by a few ulps depending on summation order. Without a margin that noise
would open and close positions and pay fees on nothing. 1e-12 is ~10^4 ulps, far above summation noise and
far below any real price move (5e-8 USDT on a 50,000 USDT price).
"""


@njit(cache=True)
def _crossover_kernel(close: np.ndarray, fast: int, slow: int, rel_tol: float, out: np.ndarray) -> int:
    """Fused SMA(fast) vs SMA(slow) in one pass; returns the first non-finite close index, or -1.

    Repeats ``rolling_mean_kernel``'s window-sum update (anchor, then slide) for both windows, so the averages
    compared here are bit-identical to ``sma(close, fast)`` and ``sma(close, slow)`` (a test pins this);
    fusing saves two intermediate arrays and three passes over memory.
    """
    fast_mask = anchor_mask(fast)
    slow_mask = anchor_mask(slow)
    fast_sum = 0.0
    slow_sum = 0.0
    for t in range(close.shape[0]):
        x = close[t]
        if not np.isfinite(x):
            return t
        if t & fast_mask == 0:
            fast_sum = exact_window_sum(close, t, fast)
        else:
            fast_sum = slide_window_sum(fast_sum, x, close[t - fast] if t >= fast else 0.0)
        if t & slow_mask == 0:
            slow_sum = exact_window_sum(close, t, slow)
        else:
            slow_sum = slide_window_sum(slow_sum, x, close[t - slow] if t >= slow else 0.0)
        fast_ma = fast_sum / fast
        slow_ma = slow_sum / slow
        out[t] = 1.0 if t >= slow - 1 and fast_ma - slow_ma > rel_tol * abs(slow_ma) else 0.0
    return -1


def ma_crossover(close: np.ndarray, fast: int, slow: int) -> np.ndarray:
    """Target exposure per bar: 1.0 while SMA(close, fast) > SMA(close, slow), else 0.0.

    ``out[t]`` uses closes up to and including bar t only. It is 0.0 during warm-up (the first
    ``slow - 1`` bars, where the slow SMA is undefined) and when the averages are equal within
    ``CROSS_REL_TOL`` (relative). Units: fraction of equity (1.0 = all-in long).
    Example: ``ma_crossover(np.array([1.0, 2.0, 3.0, 2.0, 1.0]), 1, 2)`` → ``[0, 1, 1, 0, 0]``.

    Raises ``ValueError`` unless ``1 <= fast < slow``, or if ``close`` holds NaN/inf.
    """
    if not 1 <= fast < slow:
        raise ValueError(f"ma_crossover needs 1 <= fast < slow; got fast={fast}, slow={slow}")
    arr = np.ascontiguousarray(close, dtype=np.float64)
    out = np.empty(arr.shape[0], dtype=np.float64)
    bad = _crossover_kernel(arr, int(fast), int(slow), CROSS_REL_TOL, out)
    if bad >= 0:
        raise ValueError(f"close must be finite; first bad index {bad}")
    return out


def ma_crossover_targets(bars: Bars, cfg: MACrossoverConfig) -> np.ndarray:
    """``ma_crossover`` on ``bars.close`` with the windows from ``cfg``; one float64 target per bar."""
    return ma_crossover(bars.close, cfg.fast, cfg.slow)
