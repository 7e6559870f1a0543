"""Bollinger-band mean reversion: buy a close below the lower band, sell back at the middle band."""

from __future__ import annotations

import numpy as np

from peak.core.bars import Bars
from peak.indicators import bollinger_bands
from peak.strategies.config import BollingerConfig
from peak.strategies.hysteresis import hold_positions


def bollinger(close: np.ndarray, cfg: BollingerConfig) -> np.ndarray:
    """Target per bar: 1.0 from close < lower band until close >= middle band; -1.0 (if ``allow_short``) from
    close > upper band until close <= middle band; 0.0 otherwise and for the first ``window - 1`` bars.

    Bands: SMA(close, window) -/+ k * population std (ddof 0, Bollinger's definition).
    Example: ``bollinger(close, BollingerConfig(window=20, k=2.0))`` → ``[0., ..., 1., 0.]``.
    """
    lower, middle, upper = bollinger_bands(close, cfg.window, cfg.k)
    with np.errstate(invalid="ignore"):
        long_entry, long_exit = close < lower, close >= middle
        short_entry = close > upper if cfg.allow_short else None
        short_exit = close <= middle if cfg.allow_short else None
    return hold_positions(long_entry, long_exit, short_entry, short_exit)


def bollinger_targets(bars: Bars, cfg: BollingerConfig) -> np.ndarray:
    """``bollinger`` on ``bars.close``."""
    return bollinger(bars.close, cfg)
