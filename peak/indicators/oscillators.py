"""Wilder-smoothed oscillators: RSI and ADX (+DI/-DI), the textbook Welles Wilder (1978) definitions."""

from __future__ import annotations

import numpy as np
from numba import njit

from peak.indicators.inputs import as_period, as_series


@njit(cache=True)
def wilder_smooth(values: np.ndarray, period: int, start: int) -> np.ndarray:
    """Wilder's running average of ``values[start:]``: NaN before ``start + period - 1``.

    Seed: the plain mean of the first ``period`` values from ``start``; after that
    ``avg[t] = (avg[t-1] * (period - 1) + values[t]) / period`` (an EMA with alpha = 1/period).
    Example: ``wilder_smooth(np.array([0.0, 1.0, 2.0, 3.0]), 2, 1)`` → ``[nan, nan, 1.5, 2.25]``.
    """
    n = values.shape[0]
    out = np.full(n, np.nan)
    first = start + period - 1
    if first >= n:
        return out
    total = 0.0
    for i in range(start, first + 1):
        total += values[i]
    avg = total / period
    out[first] = avg
    for t in range(first + 1, n):
        avg = (avg * (period - 1) + values[t]) / period
        out[t] = avg
    return out


@njit(cache=True)
def _rsi_kernel(close: np.ndarray, period: int) -> np.ndarray:
    n = close.shape[0]
    gain = np.zeros(n)
    loss = np.zeros(n)
    for t in range(1, n):
        change = close[t] - close[t - 1]
        gain[t] = change if change > 0.0 else 0.0
        loss[t] = -change if change < 0.0 else 0.0
    avg_gain = wilder_smooth(gain, period, 1)
    avg_loss = wilder_smooth(loss, period, 1)
    out = np.full(n, np.nan)
    for t in range(period, n):
        g, lo = avg_gain[t], avg_loss[t]
        if lo == 0.0:
            # no losses: RSI is 100 by the formula's limit; a dead-flat window is neutral (50)
            out[t] = 50.0 if g == 0.0 else 100.0
        else:
            out[t] = 100.0 - 100.0 / (1.0 + g / lo)
    return out


def rsi(close: np.ndarray, period: int = 14) -> np.ndarray:
    """Relative Strength Index with Wilder smoothing, in points on [0, 100].

    Gains/losses are close-to-close changes from bar 1; their Wilder averages are seeded with the mean of the
    first ``period`` changes, so ``out[t]`` is NaN for ``t < period``. ``RSI = 100 - 100 / (1 + gain/loss)``;
    100 when the average loss is 0, and 50 when both averages are 0 (flat prices).
    Example: ``rsi(close, 14)[-1]`` → ``57.3``. Raises ``ValueError`` for NaN/inf input or ``period < 1``.
    """
    return _rsi_kernel(as_series(close, "close"), as_period(period))


@njit(cache=True)
def _directional_moves(high: np.ndarray, low: np.ndarray, close: np.ndarray) -> tuple:
    """True range, +DM and -DM per bar (index 0 is unused: every term needs the previous bar)."""
    n = close.shape[0]
    tr = np.zeros(n)
    plus_dm = np.zeros(n)
    minus_dm = np.zeros(n)
    for t in range(1, n):
        up = high[t] - high[t - 1]
        down = low[t - 1] - low[t]
        plus_dm[t] = up if up > down and up > 0.0 else 0.0
        minus_dm[t] = down if down > up and down > 0.0 else 0.0
        tr[t] = max(high[t] - low[t], abs(high[t] - close[t - 1]), abs(low[t] - close[t - 1]))
    return tr, plus_dm, minus_dm


@njit(cache=True)
def _adx_kernel(high: np.ndarray, low: np.ndarray, close: np.ndarray, period: int) -> tuple:
    n = close.shape[0]
    tr, plus_dm, minus_dm = _directional_moves(high, low, close)
    atr = wilder_smooth(tr, period, 1)
    plus_avg = wilder_smooth(plus_dm, period, 1)
    minus_avg = wilder_smooth(minus_dm, period, 1)
    plus_di = np.full(n, np.nan)
    minus_di = np.full(n, np.nan)
    dx = np.zeros(n)
    for t in range(period, n):
        # a zero true range means no movement at all: no direction either
        plus_di[t] = 100.0 * plus_avg[t] / atr[t] if atr[t] > 0.0 else 0.0
        minus_di[t] = 100.0 * minus_avg[t] / atr[t] if atr[t] > 0.0 else 0.0
        di_sum = plus_di[t] + minus_di[t]
        dx[t] = 100.0 * abs(plus_di[t] - minus_di[t]) / di_sum if di_sum > 0.0 else 0.0
    adx_out = wilder_smooth(dx, period, period)
    return adx_out, plus_di, minus_di


def adx(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, period: int = 14
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Average Directional Index with Wilder smoothing: ``(adx, plus_di, minus_di)``, each in points [0, 100].

    TR, +DM and -DM start at bar 1; their Wilder averages (seeded with the mean of the first ``period``
    values) give +DI/-DI from bar ``period``. DX = 100 |+DI - -DI| / (+DI + -DI) (0 when both are 0); ADX is
    the Wilder average of DX seeded with the mean of DX over bars ``period .. 2 * period - 1``, so ADX is NaN
    for ``t < 2 * period - 1``. Using averages instead of Wilder's running sums gives identical DI values.
    Example: ``adx(h, l, c, 14)[0][-1]`` → ``23.4``. Raises ``ValueError`` for NaN/inf, mismatched lengths.
    """
    h, lo, c = as_series(high, "high"), as_series(low, "low"), as_series(close, "close")
    if not h.shape == lo.shape == c.shape:
        raise ValueError(f"high, low, close lengths differ: {h.shape}, {lo.shape}, {c.shape}")
    return _adx_kernel(h, lo, c, as_period(period))
