"""ADX trend following: long in a strong, rising trend confirmed by a moving-average filter."""

from __future__ import annotations

import numpy as np

from peak.core.bars import Bars
from peak.indicators import adx, sma
from peak.strategies.config import TrendFollowingConfig
from peak.strategies.hysteresis import hold_positions


def trend_following(bars: Bars, cfg: TrendFollowingConfig) -> np.ndarray:
    """Target per bar: 1.0 from (ADX > adx_threshold and +DI > -DI and close > SMA(close, ma_window)) until
    (ADX < exit_threshold or -DI > +DI or close < SMA); 0.0 otherwise.

    ADX/DI are Wilder's (see ``peak.indicators.adx``), in points; flat for the first
    ``max(2 * adx_period - 1, ma_window - 1)`` bars.
    Example: ``trend_following(bars, TrendFollowingConfig())`` → ``[0., ..., 1., 1., 0.]``.
    """
    strength, plus_di, minus_di = adx(bars.high, bars.low, bars.close, cfg.adx_period)
    ma = sma(bars.close, cfg.ma_window)
    close = bars.close
    with np.errstate(invalid="ignore"):
        entry = (strength > cfg.adx_threshold) & (plus_di > minus_di) & (close > ma)
        exit_ = (strength < cfg.exit_threshold) | (minus_di > plus_di) | (close < ma)
    return hold_positions(entry, exit_)


def trend_following_targets(bars: Bars, cfg: TrendFollowingConfig) -> np.ndarray:
    """``trend_following`` on ``bars``: needs high and low as well as close."""
    return trend_following(bars, cfg)
