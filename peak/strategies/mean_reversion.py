"""Z-score mean reversion: buy when close is far below its rolling mean, sell once it comes back."""

from __future__ import annotations

import numpy as np

from peak.core.bars import Bars
from peak.indicators import zscore
from peak.strategies.config import MeanReversionConfig
from peak.strategies.hysteresis import hold_positions


def mean_reversion(close: np.ndarray, cfg: MeanReversionConfig) -> np.ndarray:
    """Target per bar: 1.0 from z < -entry_z until z > -exit_z, else 0.0 (also for the first ``window - 1``).

    ``z = (close - SMA(close, window)) / std(close, window, ddof)`` in standard deviations; ddof 0
    (population, default) or 1 (sample). A flat window (std 0) has no z and triggers nothing.
    Example: ``mean_reversion(close, MeanReversionConfig())`` → ``[0., ..., 1., 0.]``.
    """
    z = zscore(close, cfg.window, cfg.ddof)
    with np.errstate(invalid="ignore"):
        return hold_positions(z < -cfg.entry_z, z > -cfg.exit_z)


def mean_reversion_targets(bars: Bars, cfg: MeanReversionConfig) -> np.ndarray:
    """``mean_reversion`` on ``bars.close``."""
    return mean_reversion(bars.close, cfg)
