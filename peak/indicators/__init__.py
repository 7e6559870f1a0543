"""Pure array indicator functions: float64 arrays in, float64 arrays out, NaN during warm-up."""

from peak.indicators.bands import (
    block_suffix_extreme,
    bollinger_bands,
    donchian_prior,
    rolling_mean_var,
    rolling_std,
    zscore,
)
from peak.indicators.inputs import as_period, as_series
from peak.indicators.moving_average import (
    anchor_mask,
    exact_window_sum,
    rolling_mean_kernel,
    slide_window_sum,
    sma,
)
from peak.indicators.oscillators import adx, rsi, wilder_smooth, wilder_step
from peak.indicators.trend import ema, lookback_return, macd

__all__ = [
    "adx",
    "anchor_mask",
    "as_period",
    "as_series",
    "block_suffix_extreme",
    "bollinger_bands",
    "donchian_prior",
    "ema",
    "exact_window_sum",
    "lookback_return",
    "macd",
    "rolling_mean_kernel",
    "rolling_mean_var",
    "rolling_std",
    "rsi",
    "slide_window_sum",
    "sma",
    "wilder_smooth",
    "wilder_step",
    "zscore",
]
