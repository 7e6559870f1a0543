"""RSI mean reversion: buy oversold (RSI below ``entry``), sell once RSI recovers above ``exit``."""

from __future__ import annotations

import numpy as np
from numba import njit

from peak.core.bars import Bars
from peak.indicators import rsi
from peak.strategies.config import RSIReversionConfig
from peak.strategies.hysteresis import hold_step


@njit(cache=True)
def _rsi_hold_kernel(value: np.ndarray, thresholds: tuple, short: bool) -> np.ndarray:
    """``hold_step`` on RSI thresholds ``(entry, exit, short_entry, short_exit)``; NaN never triggers."""
    entry, exit_, short_entry, short_exit = thresholds
    n = value.shape[0]
    out = np.empty(n)
    pos = 0
    for t in range(n):
        v = value[t]
        pos = hold_step(pos, v < entry, v > exit_, short and v > short_entry, short and v < short_exit)
        out[t] = pos
    return out


def rsi_reversion(close: np.ndarray, cfg: RSIReversionConfig) -> np.ndarray:
    """Target per bar: 1.0 from RSI < entry until RSI > exit; -1.0 (if ``allow_short``) from RSI > short_entry
    until RSI < short_exit; 0.0 otherwise and during the first ``period`` bars (RSI undefined).

    RSI is Wilder's (see ``peak.indicators.rsi``), in points [0, 100]. Strict comparisons: RSI exactly at a
    threshold does not trigger.
    Example: ``rsi_reversion(close, RSIReversionConfig())`` → ``[0., ..., 1., 1., 0.]``.
    """
    thresholds = (float(cfg.entry), float(cfg.exit), float(cfg.short_entry), float(cfg.short_exit))
    return _rsi_hold_kernel(rsi(close, cfg.period), thresholds, bool(cfg.allow_short))


def rsi_reversion_targets(bars: Bars, cfg: RSIReversionConfig) -> np.ndarray:
    """``rsi_reversion`` on ``bars.close``."""
    return rsi_reversion(bars.close, cfg)
