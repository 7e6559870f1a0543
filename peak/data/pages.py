"""Pure pieces of a paginated OHLCV download: turn exchange pages into bars, drop the still-forming candle,
plan where a page or a resume starts, and refuse a history the exchange does not serve.

Rows are what ccxt's ``fetch_ohlcv`` returns: ``[ts_ms, open, high, low, close, volume]`` with the bar's
open time in UTC milliseconds. Example: ``page_bars([[1704067200000, 1, 2, 0.5, 1.5, 10.0]], symbol="BTC/USD",
timeframe=Timeframe.parse("1h"), now_ms=1704074400000)`` is one complete bar.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from peak.core.bars import Bars
from peak.core.errors import DataError
from peak.core.timeframe import Timeframe
from peak.data.catalog import Manifest
from peak.data.timestamps import iso

_MS = 1_000_000
"""Nanoseconds per millisecond."""


def page_bars(rows: Sequence[Sequence[float]], *, symbol: str, timeframe: Timeframe, now_ms: int) -> Bars:
    """The complete bars of one page, sorted and with one bar per time. A bar is complete when its close
    time (open + timeframe) is not after ``now_ms``: the still-forming candle is never stored."""
    tf_ms = timeframe.ns // _MS
    table = np.array([list(row)[:6] for row in rows], dtype=np.float64).reshape(-1, 6)
    ts_ms = table[:, 0].astype(np.int64)
    keep = ts_ms + tf_ms <= now_ms
    table, ts_ms = table[keep], ts_ms[keep]
    ts_ms, first = np.unique(ts_ms, return_index=True)  # sorted; a repeated time keeps its first row
    table = table[first]
    columns = {name: np.ascontiguousarray(table[:, i + 1]) for i, name in enumerate(_NAMES)}
    return Bars(symbol=symbol, timeframe=timeframe, ts=ts_ms * _MS, source="exchange", **columns)


_NAMES = ("open", "high", "low", "close", "volume")


def start_ms(since_ms: int, manifest: Manifest | None, timeframe: Timeframe, *, resume: bool) -> int:
    """Where a download starts: one bar after the catalog's last complete bar on ``--resume`` (when that is
    later than ``since_ms``), else ``since_ms`` rounded up to a bar open time."""
    tf_ms = timeframe.ns // _MS
    start = -(-since_ms // tf_ms) * tf_ms
    if resume and manifest is not None:
        start = max(start, manifest.last_complete_ns // _MS + tf_ms)
    return start


def check_served_from(
    requested_ms: int, first_row_ms: int | None, timeframe: Timeframe, *, exchange: str
) -> None:
    """DataError when the exchange's first bar for a request from ``requested_ms`` is later than the first
    bar asked for (Kraken's OHLC endpoint serves only the latest 720 candles): the message names the range
    that is available so the user can ask for it, instead of silently getting a short history."""
    if first_row_ms is None or first_row_ms <= requested_ms:
        return
    raise DataError(
        f"{exchange} serves {timeframe.text} candles only from {iso(first_row_ms * _MS)} onwards, but the "
        f"download asks for bars from {iso(requested_ms * _MS)}; use --since {iso(first_row_ms * _MS)} "
        "or later, or a longer timeframe"
    )
