"""Pure array indicator functions: float64 arrays in, float64 arrays out, NaN during warm-up."""

from peak.indicators.bands import bollinger_bands, donchian_prior, rolling_std, zscore
from peak.indicators.moving_average import (
    anchor_mask,
    exact_window_sum,
    rolling_mean_kernel,
    slide_window_sum,
    sma,
)
from peak.indicators.oscillators import adx, rsi, wilder_smooth
from peak.indicators.trend import ema, lookback_return, macd

__all__ = [
    "adx",
    "anchor_mask",
    "bollinger_bands",
    "donchian_prior",
    "ema",
    "exact_window_sum",
    "lookback_return",
    "macd",
    "rolling_mean_kernel",
    "rolling_std",
    "rsi",
    "slide_window_sum",
    "sma",
    "wilder_smooth",
    "zscore",
]
