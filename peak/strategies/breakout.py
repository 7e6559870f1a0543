"""Donchian breakout: buy a close above the prior channel high; exit on the prior low, a stop or a target."""

from __future__ import annotations

import numpy as np
from numba import njit

from peak.core.bars import Bars
from peak.indicators import as_period, as_series, block_suffix_extreme
from peak.strategies.config import BreakoutConfig


@njit(cache=True)
def _breakout_kernel(
    close: np.ndarray, high: np.ndarray, low: np.ndarray, windows: tuple, stop: float, target: float
) -> np.ndarray:
    """Prior channels (``donchian_prior``'s exact values, van Herk / Gil-Werman) fused with the entry state.

    ``windows`` is ``(window, exit_window)``; ``stop``/``target`` are fractions, ``inf`` disables one
    (``entry * (1 - inf)`` is -inf). Channel levels at bar t read bars ``< t`` only.
    """
    window, exit_window = windows
    n = close.shape[0]
    high_suffix = block_suffix_extreme(high, window, 1.0)
    low_suffix = block_suffix_extreme(low, exit_window, -1.0)  # negated running min
    high_prefix = low_prefix = 0.0  # through bar t - 1, from the start of its block
    k_high = k_low = 0
    out = np.empty(n)
    entry = 0.0
    for t in range(n):
        c = close[t]
        if entry > 0.0:
            lower = -max(low_suffix[t - exit_window], low_prefix) if t >= exit_window else np.nan
            if c < lower or c <= entry * (1.0 - stop) or c >= entry * (1.0 + target):
                entry = 0.0  # the exit bar stays flat, like every other strategy
        elif t >= window and c > max(high_suffix[t - window], high_prefix):
            entry = c
        out[t] = 1.0 if entry > 0.0 else 0.0
        high_prefix = high[t] if k_high == 0 else max(high_prefix, high[t])
        low_prefix = -low[t] if k_low == 0 else max(low_prefix, -low[t])
        k_high = k_high + 1 if k_high + 1 < window else 0
        k_low = k_low + 1 if k_low + 1 < exit_window else 0
    return out


def breakout(bars: Bars, cfg: BreakoutConfig) -> np.ndarray:
    """Target per bar: 1.0 from close > max(high) of the previous ``window`` bars, until close < min(low) of
    the previous ``exit_window`` bars, or close <= entry_close * (1 - stop), or close >= entry_close *
    (1 + target); 0.0 otherwise.

    Channels exclude bar t (no look-ahead). ``entry_close`` is the close of the bar whose signal went long;
    stop/target are fractions of it (0.05 = 5 %) judged on closes, ``None`` disables one. Flat for the first
    ``window`` bars. Example: ``breakout(bars, BreakoutConfig(window=20, exit_window=10))``.
    """
    high, low = as_series(bars.high, "high"), as_series(bars.low, "low")
    close = as_series(bars.close, "close")
    if not high.shape == low.shape == close.shape:
        raise ValueError(f"high, low, close lengths differ: {high.shape}, {low.shape}, {close.shape}")
    windows = (as_period(cfg.window, "window"), as_period(cfg.exit_window, "exit_window"))
    stop = np.inf if cfg.stop is None else float(cfg.stop)
    target = np.inf if cfg.target is None else float(cfg.target)
    return _breakout_kernel(close, high, low, windows, stop, target)


def breakout_targets(bars: Bars, cfg: BreakoutConfig) -> np.ndarray:
    """``breakout`` on ``bars``: needs high and low as well as close."""
    return breakout(bars, cfg)
