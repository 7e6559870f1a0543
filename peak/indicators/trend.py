"""Trend indicators: EMA (SMA-seeded), MACD, and the lookback return (momentum)."""

from __future__ import annotations

import numpy as np
from numba import njit

from peak.indicators.inputs import as_period, as_series


@njit(cache=True)
def _ema_kernel(values: np.ndarray, span: int, start: int) -> np.ndarray:
    n = values.shape[0]
    out = np.full(n, np.nan)
    first = start + span - 1
    if first >= n:
        return out
    total = 0.0
    for i in range(start, first + 1):
        total += values[i]
    avg = total / span
    out[first] = avg
    alpha = 2.0 / (span + 1.0)
    for t in range(first + 1, n):
        avg = avg + alpha * (values[t] - avg)
        out[t] = avg
    return out


def ema(values: np.ndarray, span: int, start: int = 0) -> np.ndarray:
    """Exponential moving average with ``alpha = 2 / (span + 1)``, seeded with the SMA of the first ``span``.

    Values before ``start`` are ignored (MACD's signal line starts where the MACD line exists). ``out[t]`` is
    NaN for ``t < start + span - 1``; then ``ema[t] = ema[t-1] + alpha * (x[t] - ema[t-1])``.
    Example: ``ema(np.array([1.0, 2.0, 3.0, 4.0]), 2)`` → ``[nan, 1.5, 2.5, 3.5]``.
    """
    span = as_period(span)
    if start < 0:
        raise ValueError(f"start must be >= 0; got {start}")
    return _ema_kernel(as_series(values, "values"), span, int(start))


@njit(cache=True)
def ema_step(avg: float, x: float, t: int, first: int, span: int, alpha: float) -> float:
    """One bar of ``_ema_kernel`` as scalars: sum while ``t < first``, seed mean at ``first``, then EMA.

    ``first`` is the seed bar (``start + span - 1``); call from ``start`` on with ``avg = 0.0``.
    """
    if t < first:
        return avg + x
    if t == first:
        return (avg + x) / span
    return avg + alpha * (x - avg)


@njit(cache=True)
def _macd_kernel(
    close: np.ndarray, fast: int, slow: int, signal: int, line: np.ndarray, sig: np.ndarray
) -> None:
    """Both EMAs, the MACD line and its signal EMA in one pass, bit-identical to chained ``_ema_kernel``s."""
    alpha_fast, alpha_slow, alpha_sig = 2.0 / (fast + 1.0), 2.0 / (slow + 1.0), 2.0 / (signal + 1.0)
    first_sig = slow - 1 + signal - 1
    f = s = g = 0.0
    for t in range(close.shape[0]):
        x = close[t]
        f = ema_step(f, x, t, fast - 1, fast, alpha_fast)
        s = ema_step(s, x, t, slow - 1, slow, alpha_slow)
        if t < slow - 1:
            line[t] = np.nan
            sig[t] = np.nan
            continue
        m = f - s
        line[t] = m
        g = ema_step(g, m, t, first_sig, signal, alpha_sig)
        sig[t] = g if t >= first_sig else np.nan


def macd(
    close: np.ndarray, fast: int = 12, slow: int = 26, signal: int = 9
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(macd_line, signal_line, histogram)`` in price units.

    macd_line = EMA(close, fast) - EMA(close, slow), defined from bar ``slow - 1``; signal_line = EMA of the
    MACD line over ``signal`` bars seeded with the SMA of its first ``signal`` values, so defined from bar
    ``slow + signal - 2``. Each EMA is seeded with the SMA of its first ``span`` inputs. One O(n) pass.
    Example: ``macd(close)[0][-1]`` → ``152.3``.
    """
    if not 1 <= fast < slow:
        raise ValueError(f"macd needs 1 <= fast < slow; got fast={fast}, slow={slow}")
    arr = as_series(close, "close")
    line = np.empty(arr.shape[0])
    sig = np.empty(arr.shape[0])
    _macd_kernel(arr, as_period(fast), as_period(slow), as_period(signal), line, sig)
    return line, sig, line - sig


def lookback_return(close: np.ndarray, lookback: int) -> np.ndarray:
    """Simple return over ``lookback`` bars: ``close[t] / close[t - lookback] - 1``, a fraction.

    NaN for the first ``lookback`` bars.

    Example: ``lookback_return(np.array([100.0, 110.0]), 1)`` → ``[nan, 0.1]``.
    """
    lookback = as_period(lookback)
    arr = as_series(close, "close")
    out = np.full(arr.shape[0], np.nan)
    out[lookback:] = arr[lookback:] / arr[:-lookback] - 1.0
    return out
