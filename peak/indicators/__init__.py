"""Pure array indicator functions: float64 arrays in, float64 arrays out, NaN during warm-up."""

from peak.indicators.moving_average import (
    anchor_mask,
    exact_window_sum,
    rolling_mean_kernel,
    slide_window_sum,
    sma,
)

__all__ = ["anchor_mask", "exact_window_sum", "rolling_mean_kernel", "slide_window_sum", "sma"]
