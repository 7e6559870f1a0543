"""RSI mean reversion: buy oversold (RSI below ``entry``), sell once RSI recovers above ``exit``."""

from __future__ import annotations

import numpy as np

from peak.core.bars import Bars
from peak.indicators import rsi
from peak.strategies.config import RSIReversionConfig
from peak.strategies.hysteresis import hold_positions


def rsi_reversion(close: np.ndarray, cfg: RSIReversionConfig) -> np.ndarray:
    """Target per bar: 1.0 from RSI < entry until RSI > exit; -1.0 (if ``allow_short``) from RSI > short_entry
    until RSI < short_exit; 0.0 otherwise and during the first ``period`` bars (RSI undefined).

    RSI is Wilder's (see ``peak.indicators.rsi``), in points [0, 100]. Strict comparisons: RSI exactly at a
    threshold does not trigger.
    Example: ``rsi_reversion(close, RSIReversionConfig())`` → ``[0., ..., 1., 1., 0.]``.
    """
    value = rsi(close, cfg.period)
    with np.errstate(invalid="ignore"):
        long_entry, long_exit = value < cfg.entry, value > cfg.exit
        short_entry = value > cfg.short_entry if cfg.allow_short else None
        short_exit = value < cfg.short_exit if cfg.allow_short else None
    return hold_positions(long_entry, long_exit, short_entry, short_exit)


def rsi_reversion_targets(bars: Bars, cfg: RSIReversionConfig) -> np.ndarray:
    """``rsi_reversion`` on ``bars.close``."""
    return rsi_reversion(bars.close, cfg)
