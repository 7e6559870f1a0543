"""Donchian breakout: buy a close above the prior channel high; exit on the prior low, a stop or a target."""

from __future__ import annotations

import numpy as np
from numba import njit

from peak.core.bars import Bars
from peak.indicators import donchian_prior
from peak.strategies.config import BreakoutConfig


@njit(cache=True)
def _breakout_kernel(
    close: np.ndarray, upper: np.ndarray, exit_lower: np.ndarray, stop: float, target: float
) -> np.ndarray:
    """``stop``/``target`` are fractions; ``inf`` disables one (``entry * (1 - inf)`` is -inf)."""
    n = close.shape[0]
    out = np.zeros(n)
    entry = 0.0
    for t in range(n):
        c = close[t]
        if entry > 0.0:
            if c < exit_lower[t] or c <= entry * (1.0 - stop) or c >= entry * (1.0 + target):
                entry = 0.0  # the exit bar stays flat, like every other strategy
        elif c > upper[t]:  # NaN during warm-up compares False
            entry = c
        out[t] = 1.0 if entry > 0.0 else 0.0
    return out


def breakout(bars: Bars, cfg: BreakoutConfig) -> np.ndarray:
    """Target per bar: 1.0 from close > max(high) of the previous ``window`` bars, until close < min(low) of
    the previous ``exit_window`` bars, or close <= entry_close * (1 - stop), or close >= entry_close *
    (1 + target); 0.0 otherwise.

    Channels exclude bar t (no look-ahead). ``entry_close`` is the close of the bar whose signal went long;
    stop/target are fractions of it (0.05 = 5 %) judged on closes, ``None`` disables one. Flat for the first
    ``window`` bars. Example: ``breakout(bars, BreakoutConfig(window=20, exit_window=10))``.
    """
    _, upper = donchian_prior(bars.high, bars.low, cfg.window)
    exit_lower, _ = donchian_prior(bars.high, bars.low, cfg.exit_window)
    stop = np.inf if cfg.stop is None else float(cfg.stop)
    target = np.inf if cfg.target is None else float(cfg.target)
    close = np.ascontiguousarray(bars.close, dtype=np.float64)
    return _breakout_kernel(close, upper, exit_lower, stop, target)


def breakout_targets(bars: Bars, cfg: BreakoutConfig) -> np.ndarray:
    """``breakout`` on ``bars``: needs high and low as well as close."""
    return breakout(bars, cfg)
