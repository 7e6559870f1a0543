"""Z-score mean reversion: buy when close is far below its rolling mean, sell once it comes back."""

from __future__ import annotations

import numpy as np
from numba import njit

from peak.core.bars import Bars
from peak.indicators import rolling_mean_var
from peak.strategies.config import MeanReversionConfig
from peak.strategies.hysteresis import hold_step


@njit(cache=True)
def _zscore_kernel(
    close: np.ndarray, mean: np.ndarray, var: np.ndarray, entry_z: float, exit_z: float
) -> np.ndarray:
    """z exactly as ``zscore`` (NaN where std is 0 or in warm-up, so nothing triggers) and ``hold_step``."""
    n = close.shape[0]
    out = np.empty(n)
    pos = 0
    for t in range(n):
        sd = np.sqrt(var[t])
        z = (close[t] - mean[t]) / sd if sd > 0.0 else np.nan
        pos = hold_step(pos, z < -entry_z, z > -exit_z, False, False)
        out[t] = pos
    return out


def mean_reversion(close: np.ndarray, cfg: MeanReversionConfig) -> np.ndarray:
    """Target per bar: 1.0 from z < -entry_z until z > -exit_z, else 0.0 (also for the first ``window - 1``).

    ``z = (close - SMA(close, window)) / std(close, window, ddof)`` in standard deviations, exactly as
    ``peak.indicators.zscore``; ddof 0 (population, default) or 1 (sample). A flat window (std 0) has no z
    and triggers nothing. Example: ``mean_reversion(close, MeanReversionConfig())`` → ``[0., ..., 1., 0.]``.
    """
    arr = np.ascontiguousarray(close, dtype=np.float64)
    mean, var = rolling_mean_var(arr, cfg.window, cfg.ddof, "close")
    return _zscore_kernel(arr, mean, var, float(cfg.entry_z), float(cfg.exit_z))


def mean_reversion_targets(bars: Bars, cfg: MeanReversionConfig) -> np.ndarray:
    """``mean_reversion`` on ``bars.close``."""
    return mean_reversion(bars.close, cfg)
