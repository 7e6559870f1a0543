"""Bollinger-band mean reversion: buy a close below the lower band, sell back at the middle band."""

from __future__ import annotations

import numpy as np
from numba import njit

from peak.core.bars import Bars
from peak.indicators import rolling_mean_var
from peak.strategies.config import BollingerConfig
from peak.strategies.hysteresis import hold_step
from peak.strategies.ma_crossover import CROSS_REL_TOL


@njit(cache=True)
def _bollinger_kernel(
    close: np.ndarray, middle: np.ndarray, var: np.ndarray, k: float, short: bool, tol: float
) -> np.ndarray:
    """Bands exactly as ``bollinger_bands`` (``middle -/+ k * sqrt(var)``) and ``hold_step`` in one pass.

    A close equal to the middle band counts as reaching it even when the rolling mean's last bit lands
    above (or below) it: the mean of ten 2-decimal closes can be exactly the close in real data, and the
    exit must not hinge on rounding, hence the ``tol`` relative margin on the two middle-band tests.
    """
    n = close.shape[0]
    out = np.empty(n)
    pos = 0
    for t in range(n):
        x, mid = close[t], middle[t]
        width = k * np.sqrt(var[t])
        lower, upper = mid - width, mid + width  # NaN in warm-up: every comparison is False
        slack = tol * abs(mid)
        pos = hold_step(pos, x < lower, x >= mid - slack, short & (x > upper), short & (x <= mid + slack))
        out[t] = pos
    return out


def bollinger(close: np.ndarray, cfg: BollingerConfig) -> np.ndarray:
    """Target per bar: 1.0 from close < lower band until close >= middle band; -1.0 (if ``allow_short``) from
    close > upper band until close <= middle band; 0.0 otherwise and for the first ``window - 1`` bars.

    Bands: SMA(close, window) -/+ k * population std (ddof 0, Bollinger's definition), exactly as
    ``peak.indicators.bollinger_bands``.
    Example: ``bollinger(close, BollingerConfig(window=20, k=2.0))`` → ``[0., ..., 1., 0.]``.
    """
    arr = np.ascontiguousarray(close, dtype=np.float64)
    middle, var = rolling_mean_var(arr, cfg.window, 0, "close")
    return _bollinger_kernel(arr, middle, var, float(cfg.k), bool(cfg.allow_short), CROSS_REL_TOL)


def bollinger_targets(bars: Bars, cfg: BollingerConfig) -> np.ndarray:
    """``bollinger`` on ``bars.close``."""
    return bollinger(bars.close, cfg)
