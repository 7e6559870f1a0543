"""Moving averages over float64 price arrays, plus the window-sum helpers that fused kernels reuse."""

from __future__ import annotations

import numpy as np
from numba import njit

ANCHOR_BARS = 1024
"""A rolling window sum is recomputed exactly at least this often (bars); a power of two for a cheap mask."""


@njit(cache=True)
def anchor_mask(window: int) -> int:
    """``t & mask == 0`` marks the bars where a ``window`` sum is re-anchored.

    The interval is the power of two >= max(ANCHOR_BARS, window), so re-anchoring costs at most about one
    extra compensated addition per bar even for very long windows. Example: ``anchor_mask(50)`` → ``1023``.
    """
    interval = ANCHOR_BARS
    while interval < window:
        interval *= 2
    return interval - 1


@njit(cache=True)
def exact_window_sum(values: np.ndarray, t: int, window: int) -> float:
    """Sum of ``values[max(0, t - window + 1) : t + 1]`` with Neumaier compensation (about one ulp)."""
    total = 0.0
    comp = 0.0
    for i in range(max(0, t - window + 1), t + 1):
        x = values[i]
        s = total + x
        if abs(total) >= abs(x):
            comp += (total - s) + x
        else:
            comp += (x - s) + total
        total = s
    return total + comp


@njit(cache=True)
def slide_window_sum(total: float, entering: float, leaving: float) -> float:
    """Window sum after one bar: ``(total + entering) - leaving``; pass ``leaving=0.0`` during warm-up.

    Scalars only on purpose: a per-bar numba helper that takes an array pays reference counting on every call
    (measured 10x slower). Kernels must use this exact operation order to stay bit-identical to ``sma``.
    """
    return (total + entering) - leaving


@njit(cache=True)
def rolling_mean_kernel(values: np.ndarray, window: int, out: np.ndarray) -> int:
    """Write the rolling mean of ``values`` into ``out`` (NaN in warm-up); return the first non-finite index.

    Returns -1 when every value is finite. Why re-anchored: a plain add/subtract running sum keeps the
    rounding error of every value that ever passed through the window, so over millions of bars, or after
    prices fall by orders of magnitude, the average drifts. Recomputing the sum exactly every
    ``anchor_mask + 1`` bars bounds the error to the roundings since the last anchor (measured ~1e-14
    relative, even through a 1e8x price collapse; worst case ~2 * (mask + 1) ulps of the largest recent
    window sum) at nearly plain-sum speed. Causal: ``out[t]`` reads ``values[:t + 1]`` only.
    """
    mask = anchor_mask(window)
    total = 0.0
    for t in range(values.shape[0]):
        x = values[t]
        if not np.isfinite(x):
            return t
        if t & mask == 0:
            total = exact_window_sum(values, t, window)
        else:
            total = slide_window_sum(total, x, values[t - window] if t >= window else 0.0)
        out[t] = total / window if t >= window - 1 else np.nan
    return -1


def sma(values: np.ndarray, window: int) -> np.ndarray:
    """Simple moving average: ``out[t] = mean(values[t - window + 1 : t + 1])``.

    Units are those of ``values`` (e.g. USDT for close prices). The first ``window - 1`` entries are NaN
    (warm-up), and so is every entry when ``window > len(values)``. Window sums are re-anchored exactly every
    1,024+ bars (see ``rolling_mean_kernel``), so accuracy does not decay with series length.
    Example: ``sma(np.array([1.0, 2.0, 3.0, 4.0]), 2)`` → ``[nan, 1.5, 2.5, 3.5]``.

    Raises ``ValueError`` if ``window < 1``, ``values`` is not one-dimensional or holds NaN/inf: the running
    sum would carry a NaN into later averages, so bad input fails loudly instead.
    """
    if int(window) != window or window < 1:
        raise ValueError(f"window must be an integer >= 1; got {window!r}")
    arr = np.ascontiguousarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"values must be one-dimensional; got shape {arr.shape}")
    out = np.empty(arr.shape[0], dtype=np.float64)
    bad = rolling_mean_kernel(arr, int(window), out)
    if bad >= 0:
        raise ValueError(f"values must be finite; first bad index {bad}")
    return out
