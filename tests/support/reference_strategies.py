"""Independent, deliberately plain textbook indicators and strategy signals (lists in, lists out).

Nothing here imports ``peak``: each rule is restated from docs/strategies.md and the textbook definitions
(Wilder 1978 for RSI/ADX, Appel for MACD, Bollinger, Donchian), one bar at a time. Indicator values are
``None`` during warm-up. Signals are long-only (1.0 / 0.0), matching the engine's long/flat book.
"""

from __future__ import annotations

import math


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


def window_std(x: list[float], t: int, window: int, ddof: int) -> float | None:
    if t < window - 1:
        return None
    w = x[t - window + 1 : t + 1]
    mean = math.fsum(w) / window
    return math.sqrt(math.fsum((v - mean) ** 2 for v in w) / (window - ddof))


def hold(entry: list[bool], exit_: list[bool]) -> list[float]:
    """Long from an entry until an exit; the exit bar stays flat."""
    out, pos = [], 0.0
    for e, x in zip(entry, exit_, strict=True):
        if pos > 0 and x:
            pos = 0.0
        elif pos == 0 and e:
            pos = 1.0
        out.append(pos)
    return out


def _lt(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and a < b


def rsi_reversion_signals(close: list[float], period: int, entry: float, exit_: float) -> list[float]:
    r = rsi(close, period)
    return hold([_lt(v, entry) for v in r], [_lt(exit_, v) for v in r])


def bollinger_signals(close: list[float], window: int, k: float) -> list[float]:
    entry, exit_ = [], []
    for t, c in enumerate(close):
        mid, sd = window_mean(close, t, window), window_std(close, t, window, 0)
        entry.append(mid is not None and c < mid - k * sd)
        exit_.append(mid is not None and c >= mid)
    return hold(entry, exit_)


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
