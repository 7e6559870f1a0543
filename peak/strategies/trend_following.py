"""ADX trend following: long in a strong, rising trend confirmed by a moving-average filter."""

from __future__ import annotations

import numpy as np
from numba import njit

from peak.core.bars import Bars
from peak.indicators import (
    anchor_mask,
    as_period,
    exact_window_sum,
    slide_window_sum,
    wilder_step,
)
from peak.strategies.config import TrendFollowingConfig
from peak.strategies.hysteresis import hold_step


@njit(cache=True)
def _side_of_mean(c: float, total: float, window: int) -> tuple:
    """``(c > ma, c < ma)`` for ``ma = total / window`` (``sma``'s exact value), dividing only near a tie.

    Saves a division per bar: ``c * window - total`` decides the side whenever it exceeds 1e-9 of ``total``,
    a margin ~1e7 times its rounding error, so the answer is unchanged.
    """
    gap = c * window - total
    if abs(gap) <= 1e-9 * abs(total):
        ma = total / window
        return c > ma, c < ma
    return gap > 0.0, gap < 0.0


@njit(cache=True)
def _first_non_finite(high: np.ndarray, low: np.ndarray, close: np.ndarray, start: int) -> int:
    """First bar from ``start`` whose high, low or close is NaN or infinite, or -1."""
    for t in range(start, close.shape[0]):
        if not (np.isfinite(close[t]) & np.isfinite(high[t]) & np.isfinite(low[t])):
            return t
    return -1


@njit(cache=True)
def _trend_kernel(
    high: np.ndarray, low: np.ndarray, close: np.ndarray, periods: tuple, levels: tuple, out: np.ndarray
) -> int:
    """Wilder ADX/DI, ``sma``'s window sum and ``hold_step`` in one pass; returns the first bar with a
    non-finite high, low or close, or -1.

    ``periods`` is ``(adx_period, ma_window)``, ``levels`` ``(adx_threshold, exit_threshold)``. Flat while
    ADX or the SMA is undefined, as their NaN would compare False.

    Warm-up (to the ADX seed at bar ``2 * period - 1`` and the first full SMA window) follows ``adx`` and
    ``sma`` step for step. The steady-state loop is throughput-bound, so it trims work per bar:

    * Wilder steps are ``avg * keep + x * inv`` (``keep = (period - 1) / period``, ``inv = 1 / period``):
      a few ulps from ``(avg * (period - 1) + x) / period``; the recursion contracts, so the averages stay
      ~1e-15 relative from the textbook's, far inside the 1e-12 its tests allow.
    * +DI > -DI iff +DM avg > -DM avg (one positive ATR divides both), so the DIs are never formed, and
      DX = 100 |+DI - -DI| / (+DI + -DI) = 100 |+DM avg - -DM avg| / (+DM avg + -DM avg): one division
      per bar, off the loop-carried chains, instead of seven (three of them on the chains).
    * Arrays are indexed through views offset to the loop start (no negative-index handling per access);
      non-finite input is caught by a running sum of high + low + close (NaN/inf stick) instead of per-bar
      branches, the first bad bar then located by a rescan; the long-only ``hold_step`` is one select.
    """
    period, window = periods
    adx_threshold, exit_threshold = levels
    mask = anchor_mask(window)
    n = close.shape[0]
    atr = plus_avg = minus_avg = dx_avg = total = 0.0
    first_adx = 2 * period - 1
    pos = 0
    warm = min(n, max(first_adx + 1, window))
    for t in range(warm):  # warm-up: ``adx``'s and ``sma``'s exact arithmetic
        c = close[t]
        if not (np.isfinite(c) & np.isfinite(high[t]) & np.isfinite(low[t])):
            return t
        if t & mask == 0:
            total = exact_window_sum(close, t, window)
        else:
            total = slide_window_sum(total, c, close[t - window] if t >= window else 0.0)
        if t == 0:
            out[t] = 0.0
            continue
        up = high[t] - high[t - 1]
        down = low[t - 1] - low[t]
        plus_dm = up if (up > down) & (up > 0.0) else 0.0  # bitwise: no unpredictable branch
        minus_dm = down if (down > up) & (down > 0.0) else 0.0
        tr = max(high[t] - low[t], abs(high[t] - close[t - 1]), abs(low[t] - close[t - 1]))
        if t <= period:
            atr, plus_avg, minus_avg = atr + tr, plus_avg + plus_dm, minus_avg + minus_dm
            if t < period:
                out[t] = 0.0
                continue
            atr, plus_avg, minus_avg = atr / period, plus_avg / period, minus_avg / period
        else:
            atr = wilder_step(atr, tr, period)
            plus_avg = wilder_step(plus_avg, plus_dm, period)
            minus_avg = wilder_step(minus_avg, minus_dm, period)
        plus_di = 100.0 * plus_avg / atr if atr > 0.0 else 0.0
        minus_di = 100.0 * minus_avg / atr if atr > 0.0 else 0.0
        di_sum = plus_di + minus_di
        dx = 100.0 * abs(plus_di - minus_di) / di_sum if di_sum > 0.0 else 0.0
        if t < first_adx:
            dx_avg += dx
            out[t] = 0.0
            continue
        dx_avg = (dx_avg + dx) / period if t == first_adx else wilder_step(dx_avg, dx, period)
        above, below = _side_of_mean(c, total, window) if t >= window - 1 else (False, False)
        entry = (dx_avg > adx_threshold) & (plus_di > minus_di) & above
        exit_ = (dx_avg < exit_threshold) | (minus_di > plus_di) | below
        pos = hold_step(pos, entry, exit_, False, False)
        out[t] = pos
    if warm >= n:
        return -1
    inv = 1.0 / period
    keep = (period - 1) * inv
    # views from the loop start: index i is bar warm + i, so every access has a non-negative index
    h_now, h_prev = high[warm:], high[warm - 1 :]
    l_now, l_prev = low[warm:], low[warm - 1 :]
    c_now, c_prev, c_out = close[warm:], close[warm - 1 :], close[warm - window :]
    dest = out[warm:]
    held = pos > 0
    seen = 0.0
    for i in range(n - warm):  # steady state: multiply-add chains, one independent division per bar
        t = warm + i
        c = c_now[i]
        h = h_now[i]
        lo = l_now[i]
        seen += (h + lo) + c  # non-finite from the first NaN/inf on; a finite overflow only costs a rescan
        anchor = t & mask == 0
        total = exact_window_sum(close, t, window) if anchor else slide_window_sum(total, c, c_out[i])
        cp = c_prev[i]
        up = h - h_prev[i]
        down = l_prev[i] - lo
        plus_dm = up if (up > down) & (up > 0.0) else 0.0  # bitwise: no unpredictable branch
        minus_dm = down if (down > up) & (down > 0.0) else 0.0
        tr = max(h - lo, abs(h - cp), abs(lo - cp))
        atr = atr * keep + tr * inv
        plus_avg = plus_avg * keep + plus_dm * inv
        minus_avg = minus_avg * keep + minus_dm * inv
        moving = atr > 0.0  # a zero ATR means no direction: both DI 0, DX 0
        dm_sum = plus_avg + minus_avg
        dx = 100.0 * abs(plus_avg - minus_avg) / dm_sum if moving & (dm_sum > 0.0) else 0.0
        dx_avg = dx_avg * keep + dx * inv
        above, below = _side_of_mean(c, total, window)
        entry = (dx_avg > adx_threshold) & moving & (plus_avg > minus_avg) & above
        exit_ = (dx_avg < exit_threshold) | (moving & (minus_avg > plus_avg)) | below
        held = (not exit_) if held else entry  # ``hold_step`` long-only, as one select
        dest[i] = 1.0 if held else 0.0
    if not np.isfinite(seen):
        return _first_non_finite(high, low, close, warm)
    return -1


def trend_following(bars: Bars, cfg: TrendFollowingConfig) -> np.ndarray:
    """Target per bar: 1.0 from (ADX > adx_threshold and +DI > -DI and close > SMA(close, ma_window)) until
    (ADX < exit_threshold or -DI > +DI or close < SMA); 0.0 otherwise.

    ADX/DI are Wilder's (see ``peak.indicators.adx``), in points; flat for the first
    ``max(2 * adx_period - 1, ma_window - 1)`` bars. One O(n) pass.
    Example: ``trend_following(bars, TrendFollowingConfig())`` → ``[0., ..., 1., 1., 0.]``.
    """
    high, low, close = (np.ascontiguousarray(a, dtype=np.float64) for a in (bars.high, bars.low, bars.close))
    if not high.ndim == 1 or not high.shape == low.shape == close.shape:
        raise ValueError(
            f"high, low, close must be 1-D of one length: {high.shape}, {low.shape}, {close.shape}"
        )
    periods = (as_period(cfg.adx_period), as_period(cfg.ma_window, "ma_window"))
    levels = (float(cfg.adx_threshold), float(cfg.exit_threshold))
    out = np.empty(close.shape[0])
    bad = _trend_kernel(high, low, close, periods, levels, out)
    if bad >= 0:
        raise ValueError(f"high, low and close must be finite; first bad index {bad}")
    return out


def trend_following_targets(bars: Bars, cfg: TrendFollowingConfig) -> np.ndarray:
    """``trend_following`` on ``bars``: needs high and low as well as close."""
    return trend_following(bars, cfg)
