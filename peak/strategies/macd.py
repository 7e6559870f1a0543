"""MACD trend filter: long while the MACD line is above its signal line."""

from __future__ import annotations

import numpy as np

from peak.core.bars import Bars
from peak.indicators import macd as macd_lines
from peak.strategies.config import MACDConfig


def macd(close: np.ndarray, cfg: MACDConfig) -> np.ndarray:
    """Target per bar: 1.0 while MACD line > signal line (strictly), else 0.0.

    Both EMAs and the signal EMA are seeded with the SMA of their first ``span`` inputs, so the target is 0.0
    for the first ``slow + signal - 2`` bars. No hysteresis: the exit is the line crossing back below.
    Example: ``macd(close, MACDConfig())`` → ``[0., ..., 1., 1., 0.]``.
    """
    line, signal, _ = macd_lines(close, cfg.fast, cfg.slow, cfg.signal)
    with np.errstate(invalid="ignore"):
        return (line > signal).astype(np.float64)


def macd_targets(bars: Bars, cfg: MACDConfig) -> np.ndarray:
    """``macd`` on ``bars.close``."""
    return macd(bars.close, cfg)
