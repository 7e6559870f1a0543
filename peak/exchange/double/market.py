"""Deterministic market data of the double: a price path that any ``since`` reproduces exactly.

The log-price of a base asset is a sum of slow waves plus per-minute hash noise, so a candle or a trade
at time t has the same value in every request and every process, without storing a series.

Example: ``price_at("XXBT", np.array([1_700_000_000]))`` → ``array([6xxxx.x])``.
"""

from __future__ import annotations

import numpy as np

# Typical price level of each Kraken base asset (quote assets are 1).
LEVELS = {"XXBT": 60_000.0, "XETH": 3_000.0, "XLTC": 80.0, "XXRP": 0.5, "XXDG": 0.1, "ADA": 0.4}
OHLC_LIMIT = 720  # Kraken returns at most the 720 most recent candles, whatever `since` says.
TRADE_SPACING_S = 15  # one public trade every 15 s
TRADES_LIMIT = 1000  # Kraken's maximum `count` for Trades
INTERVALS_MIN = (1, 5, 15, 30, 60, 240, 1440, 10080, 21600)


def _noise(x: np.ndarray, salt: float) -> np.ndarray:
    """A deterministic pseudo-random value in [0, 1) per integer ``x``."""
    return np.modf(np.abs(np.sin(x * 12.9898 + salt) * 43758.5453))[0]


def price_at(asset: str, t_s: np.ndarray) -> np.ndarray:
    """Price of ``asset`` at epoch seconds ``t_s`` (piecewise constant per minute)."""
    level = LEVELS.get(asset, 1.0)
    m = np.floor(np.asarray(t_s, dtype=float) / 60.0)
    phase = sum(map(ord, asset)) % 97
    log_p = (
        0.08 * np.sin(2 * np.pi * m / (60 * 24 * 30) + phase)
        + 0.03 * np.sin(2 * np.pi * m / (60 * 24) + phase / 7)
        + 0.006 * np.sin(2 * np.pi * m / 97)
        + 0.002 * (_noise(m, phase) - 0.5)
    )
    return level * np.exp(log_p)


def ohlc_rows(asset: str, interval_min: int, since_s: int | None, now_s: int) -> tuple[list[list], int]:
    """Kraken OHLC rows ``[time, o, h, l, c, vwap, volume, count]`` and the ``last`` cursor.

    Only the 720 most recent candles exist; those with time > ``since_s`` are returned. The last row is
    the current, still-forming candle; ``last`` is the start of the newest committed one.
    """
    step = interval_min * 60
    current = now_s // step * step
    starts = current - step * np.arange(OHLC_LIMIT - 1, -1, -1)
    if since_s is not None:
        starts = starts[starts > since_s]
    samples = starts[:, None] + np.linspace(0, step - 60, 16)[None, :]
    samples = np.minimum(samples, now_s)
    path = price_at(asset, samples)
    opens, closes = path[:, 0], path[:, -1]
    highs, lows = path.max(axis=1), path.min(axis=1)
    volume = (0.5 + 4.5 * _noise(starts / step, 3.1)) * interval_min
    counts = (5 + 50 * _noise(starts / step, 7.7) * interval_min).astype(int)
    rows = []
    for t, o, hi, lo, c, vol, n in zip(starts, opens, highs, lows, closes, volume, counts, strict=True):
        prices = [_fmt(float(v)) for v in (o, hi, lo, c, (hi + lo + c) / 3)]
        rows.append([int(t), *prices, f"{vol:.8f}", int(n)])
    return rows, int(current - step)


def _fmt(value: float) -> str:
    """Kraken's string decimals: 1 decimal above 10, else 5."""
    return f"{value:.1f}" if value > 10 else f"{value:.5f}"


def trade_rows(asset: str, since: int | None, count: int | None, now_s: int) -> tuple[list[list], str]:
    """Kraken Trades rows ``[price, volume, time, side, type, misc, trade_id]`` and the ``last`` cursor.

    ``since`` is epoch seconds, or a ``last`` cursor (nanoseconds) from a previous reply; trades strictly
    after it are returned, at most ``count`` (≤ 1000), never past ``now_s``.
    """
    limit = min(count or TRADES_LIMIT, TRADES_LIMIT)
    if since is None:
        first = now_s // TRADE_SPACING_S - limit + 1
    elif since > 10**12:
        first = since // 10**9 // TRADE_SPACING_S + 1
    else:
        first = -(-since // TRADE_SPACING_S)
    last_id = now_s // TRADE_SPACING_S
    ids = np.arange(first, min(first + limit, last_id + 1))
    times = ids * TRADE_SPACING_S + 0.25
    prices = price_at(asset, times)
    sizes = 0.001 + 0.5 * _noise(ids, 1.3)
    sides = np.where(_noise(ids, 2.9) > 0.5, "b", "s")
    rows = [
        [_fmt(float(p)), f"{v:.8f}", float(t), str(s), "m", "", int(i)]
        for p, v, t, s, i in zip(prices, sizes, times, sides, ids, strict=True)
    ]
    cursor = int(times[-1] * 10**9) if len(ids) else (since or now_s * 10**9)
    return rows, str(cursor)
