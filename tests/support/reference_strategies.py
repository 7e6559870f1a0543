"""Independent, deliberately plain textbook indicators and strategy signals (lists in, lists out).

Nothing here imports ``peak``: each rule is restated from docs/strategies.md and the textbook definitions
(Wilder 1978 for RSI/ADX, Appel for MACD, Bollinger, Donchian), one bar at a time. Indicator values are
``None`` during warm-up. Signals are 1.0 long, 0.0 flat and, for the strategies with a short side when it
is switched on, -1.0 short.
"""

from __future__ import annotations

import math
from fractions import Fraction


def wilder(values: list[float], period: int, start: int) -> list[float | None]:
    """Wilder's average of values[start:]: mean of the first ``period``, then (prev * (p - 1) + x) / p."""
    out: list[float | None] = [None] * len(values)
    first = start + period - 1
    if first >= len(values):
        return out
    avg = 0.0
    for x in values[start : first + 1]:
        avg += x
    avg /= period
    out[first] = avg
    for t in range(first + 1, len(values)):
        avg = (avg * (period - 1) + values[t]) / period
        out[t] = avg
    return out


def rsi(close: list[float], period: int) -> list[float | None]:
    gains = [0.0] + [max(close[t] - close[t - 1], 0.0) for t in range(1, len(close))]
    losses = [0.0] + [max(close[t - 1] - close[t], 0.0) for t in range(1, len(close))]
    avg_gain, avg_loss = wilder(gains, period, 1), wilder(losses, period, 1)
    out: list[float | None] = []
    for g, lo in zip(avg_gain, avg_loss, strict=True):
        if g is None:
            out.append(None)
        elif lo == 0.0:
            out.append(50.0 if g == 0.0 else 100.0)
        else:
            out.append(100.0 - 100.0 / (1.0 + g / lo))
    return out


def adx(high: list[float], low: list[float], close: list[float], period: int) -> tuple[list, list, list]:
    """(adx, +DI, -DI) with Wilder averages; DX averaged from the first bar where the DIs exist."""
    n = len(close)
    tr, pdm, mdm = [0.0] * n, [0.0] * n, [0.0] * n
    for t in range(1, n):
        up, down = high[t] - high[t - 1], low[t - 1] - low[t]
        pdm[t] = up if (up > down and up > 0) else 0.0
        mdm[t] = down if (down > up and down > 0) else 0.0
        tr[t] = max(high[t] - low[t], abs(high[t] - close[t - 1]), abs(low[t] - close[t - 1]))
    atr, pavg, mavg = wilder(tr, period, 1), wilder(pdm, period, 1), wilder(mdm, period, 1)
    pdi: list[float | None] = [None] * n
    mdi: list[float | None] = [None] * n
    dx = [0.0] * n
    for t in range(period, n):
        pdi[t] = 100.0 * pavg[t] / atr[t] if atr[t] > 0 else 0.0
        mdi[t] = 100.0 * mavg[t] / atr[t] if atr[t] > 0 else 0.0
        s = pdi[t] + mdi[t]
        dx[t] = 100.0 * abs(pdi[t] - mdi[t]) / s if s > 0 else 0.0
    return wilder(dx, period, period), pdi, mdi


def ema(values: list[float], span: int, start: int = 0) -> list[float | None]:
    """alpha = 2 / (span + 1), seeded with the SMA of the first ``span`` values from ``start``."""
    out: list[float | None] = [None] * len(values)
    first = start + span - 1
    if first >= len(values):
        return out
    avg = 0.0
    for x in values[start : first + 1]:
        avg += x
    avg /= span
    out[first] = avg
    alpha = 2.0 / (span + 1.0)
    for t in range(first + 1, len(values)):
        avg = avg + alpha * (values[t] - avg)
        out[t] = avg
    return out


def macd(close: list[float], fast: int, slow: int, signal: int) -> tuple[list, list]:
    f, s = ema(close, fast), ema(close, slow)
    line = [None if b is None else a - b for a, b in zip(f, s, strict=True)]
    sig = ema([0.0 if x is None else x for x in line], signal, slow - 1)
    return line, sig


def window_mean(x: list[float], t: int, window: int) -> float | None:
    return None if t < window - 1 else math.fsum(x[t - window + 1 : t + 1]) / window


def versus_mean(x: list[float], t: int, window: int, tie: float = 1e-12) -> int | None:
    """Sign of ``x[t]`` minus the window's mean, 0 within ``tie`` (relative) of the exact mean: prices are
    decimals, so a close that equals the mean in decimal may sit a few ulps off it in binary, and the rule
    "close >= middle band" must not hinge on that. The mean is exact (rational arithmetic) near a tie."""
    mid = window_mean(x, t, window)
    if mid is None:
        return None
    c = x[t]
    if abs(c - mid) > 1e-9 * abs(mid):
        return 1 if c > mid else -1
    exact = sum(Fraction(v) for v in x[t - window + 1 : t + 1]) / window
    diff = Fraction(c) - exact
    if abs(diff) <= Fraction(tie) * abs(exact):
        return 0
    return 1 if diff > 0 else -1


def window_std(x: list[float], t: int, window: int, ddof: int) -> float | None:
    if t < window - 1:
        return None
    w = x[t - window + 1 : t + 1]
    mean = math.fsum(w) / window
    return math.sqrt(math.fsum((v - mean) ** 2 for v in w) / (window - ddof))


def hold(
    entry: list[bool],
    exit_: list[bool],
    short_entry: list[bool] | None = None,
    short_exit: list[bool] | None = None,
) -> list[float]:
    """Long from an entry until its exit, short from a short entry until its exit; the exit bar stays flat.

    Only a flat book enters (a long entry wins when both entries fire), so a position never flips side in
    one bar: it goes flat on its exit bar and the next bar decides. Without short rules: long/flat only.
    """
    n = len(entry)
    if short_entry is None:
        short_entry = [False] * n
    if short_exit is None:
        short_exit = [False] * n
    out, pos = [], 0.0
    for t in range(n):
        if pos > 0:
            if exit_[t]:
                pos = 0.0
        elif pos < 0:
            if short_exit[t]:
                pos = 0.0
        elif entry[t]:
            pos = 1.0
        elif short_entry[t]:
            pos = -1.0
        out.append(pos)
    return out


def _lt(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and a < b


def rsi_reversion_signals(
    close: list[float],
    period: int,
    entry: float,
    exit_: float,
    short_entry: float | None = None,
    short_exit: float | None = None,
) -> list[float]:
    """Long from RSI < entry until RSI > exit; with both short thresholds given, short from RSI > short_entry
    until RSI < short_exit. Strict comparisons; no RSI (warm-up) triggers nothing."""
    r = rsi(close, period)
    if short_entry is None or short_exit is None:
        return hold([_lt(v, entry) for v in r], [_lt(exit_, v) for v in r])
    return hold(
        [_lt(v, entry) for v in r],
        [_lt(exit_, v) for v in r],
        [_lt(short_entry, v) for v in r],
        [_lt(v, short_exit) for v in r],
    )


def bollinger_signals(close: list[float], window: int, k: float, allow_short: bool = False) -> list[float]:
    """Long from close < lower band until close >= middle; with ``allow_short``, short from close > upper band
    until close <= middle. Middle = SMA, bands = middle -/+ k * population std; warm-up triggers nothing."""
    entry, exit_, short_entry, short_exit = [], [], [], []
    for t, c in enumerate(close):
        mid, sd = window_mean(close, t, window), window_std(close, t, window, 0)
        entry.append(mid is not None and c < mid - k * sd)
        side = versus_mean(close, t, window)
        exit_.append(side is not None and side >= 0)
        short_entry.append(allow_short and mid is not None and c > mid + k * sd)
        short_exit.append(allow_short and side is not None and side <= 0)
    return hold(entry, exit_, short_entry, short_exit)


def macd_signals(close: list[float], fast: int, slow: int, signal: int) -> list[float]:
    line, sig = macd(close, fast, slow, signal)
    return [1.0 if _lt(s, m) else 0.0 for m, s in zip(line, sig, strict=True)]


def momentum_signals(
    close: list[float], lookback: int, threshold: float, exit_threshold: float
) -> list[float]:
    ret = [None if t < lookback else close[t] / close[t - lookback] - 1.0 for t in range(len(close))]
    return hold([_lt(threshold, r) for r in ret], [_lt(r, exit_threshold) for r in ret])


def mean_reversion_signals(
    close: list[float], window: int, entry_z: float, exit_z: float, ddof: int
) -> list[float]:
    z: list[float | None] = []
    for t, c in enumerate(close):
        mid, sd = window_mean(close, t, window), window_std(close, t, window, ddof)
        z.append(None if mid is None or sd == 0 else (c - mid) / sd)
    return hold([_lt(v, -entry_z) for v in z], [_lt(-exit_z, v) for v in z])


def breakout_signals(
    high: list[float],
    low: list[float],
    close: list[float],
    window: int,
    exit_window: int,
    stop: float | None,
    target: float | None,
) -> list[float]:
    out, entry_close = [], None
    for t, c in enumerate(close):
        if entry_close is not None:
            lower = min(low[t - exit_window : t]) if t >= exit_window else None
            hit_stop = stop is not None and c <= entry_close * (1 - stop)
            hit_target = target is not None and c >= entry_close * (1 + target)
            if _lt(c, lower) or hit_stop or hit_target:
                entry_close = None
        elif t >= window and c > max(high[t - window : t]):
            entry_close = c
        out.append(0.0 if entry_close is None else 1.0)
    return out


def trend_following_signals(
    high: list[float],
    low: list[float],
    close: list[float],
    period: int,
    adx_threshold: float,
    exit_threshold: float,
    ma_window: int,
) -> list[float]:
    strength, pdi, mdi = adx(high, low, close, period)
    entry, exit_ = [], []
    for t, c in enumerate(close):
        ma = window_mean(close, t, ma_window)
        entry.append(_lt(adx_threshold, strength[t]) and _lt(mdi[t], pdi[t]) and _lt(ma, c))
        exit_.append(_lt(strength[t], exit_threshold) or _lt(pdi[t], mdi[t]) or _lt(c, ma))
    return hold(entry, exit_)
