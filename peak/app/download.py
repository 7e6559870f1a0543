"""``peak data download``: page through an exchange's OHLCV endpoint into the local parquet catalog.

Each page is merged into its month partitions as soon as it arrives (``peak.data.catalog``), so a
download stopped by Ctrl-C or a crash keeps every complete bar it fetched; ``resume=True`` continues one
bar after the manifest's last complete bar. The still-forming candle is never written. A transient
exchange failure (``TemporaryExchangeError``, already retried by the exchange layer) is retried here a few
more times with a growing pause; anything else stops the download with its message.

Example: ``download(client, folder, exchange="kraken", symbol="BTC/USD", timeframe="1h",
since_ms=1704067200000)`` returns ``DownloadSummary(bars_written=720, pages=2, ...)``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from peak.core.errors import TemporaryExchangeError
from peak.core.progress import progress
from peak.core.timeframe import Timeframe
from peak.data.catalog import read_manifest, write_bars
from peak.data.pages import check_served_from, page_bars, start_ms

PAGE_LIMIT = 720
"""Candles asked for per request: Kraken's maximum, and accepted by the other ccxt exchanges."""
RETRIES = 4
"""How many more times a page is asked for after a TemporaryExchangeError, pausing 1, 2, 4, 8 s."""


class OhlcvClient(Protocol):
    """The part of ``peak.exchange``'s client that a download uses."""

    def fetch_ohlcv(self, symbol: str, timeframe: str, since_ms: int, limit: int) -> list[list[float]]: ...


@dataclass(frozen=True)
class DownloadSummary:
    """What one download did: bars written (complete bars, re-fetched ones included), pages fetched and
    the first and last bar open time asked for (UTC ms)."""

    bars_written: int
    pages: int
    start_ms: int
    end_ms: int


def default_catalog_root() -> Path:
    """``$PEAK_CATALOG_DIR``, else ``data/`` under the project home (``peak.app.paths.project_root``)."""
    from peak.app.paths import project_root

    env = os.environ.get("PEAK_CATALOG_DIR")
    return Path(env).expanduser() if env else project_root() / "data"


def download(
    client: OhlcvClient,
    folder: Path,
    *,
    exchange: str,
    symbol: str,
    timeframe: str,
    since_ms: int,
    until_ms: int | None = None,
    resume: bool = False,
    now_ms: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    page_limit: int = PAGE_LIMIT,
) -> DownloadSummary:
    """Fetch ``symbol`` bars from ``since_ms`` (or the resume point) to ``until_ms`` (exclusive, default
    now) into ``folder``; DataError when the exchange does not serve the start of the range."""
    tf = Timeframe.parse(timeframe)
    tf_ms = tf.ns // 1_000_000
    now = int(time.time() * 1000) if now_ms is None else now_ms
    start = start_ms(since_ms, read_manifest(folder), tf, resume=resume)
    end = min(until_ms if until_ms is not None else now, now)
    cursor, pages, written = start, 0, 0
    with progress(max(0, (end - start) // tf_ms), f"{exchange} {symbol} {tf.text}", "bar") as bar:
        while cursor + tf_ms <= end:
            rows = _fetch_page(client, symbol, tf.text, cursor, page_limit, sleep)
            if pages == 0:
                check_served_from(cursor, int(rows[0][0]) if rows else None, tf, exchange=exchange)
            pages += 1
            bars = page_bars(rows, symbol=symbol, timeframe=tf, now_ms=now)
            inside = (bars.ts >= cursor * 1_000_000) & (bars.ts < end * 1_000_000)
            if rows:
                # the newest row of a page may be the exchange's still-forming candle (by its clock, which
                # may differ from ours): keep it back; the next page starts at it and writes it once a
                # later bar exists, so a closed bar is never lost and a forming one never stored
                inside &= bars.ts < max(int(r[0]) for r in rows) * 1_000_000
            inside = np.flatnonzero(inside)
            if inside.size == 0:
                break  # nothing newer is served: the history ends here
            bars = bars.slice(int(inside[0]), int(inside[-1]) + 1)
            write_bars(folder, bars, exchange=exchange)
            written += len(bars)
            cursor = int(bars.ts[-1]) // 1_000_000 + tf_ms
            bar.advance(len(bars))
    return DownloadSummary(bars_written=written, pages=pages, start_ms=start, end_ms=end)


def _fetch_page(
    client: OhlcvClient,
    symbol: str,
    timeframe: str,
    since_ms: int,
    limit: int,
    sleep: Callable[[float], None],
) -> Sequence[Sequence[float]]:
    """One page; a TemporaryExchangeError is retried ``RETRIES`` times before it propagates."""
    for attempt in range(RETRIES + 1):
        try:
            return client.fetch_ohlcv(symbol, timeframe, since_ms, limit)
        except TemporaryExchangeError:
            if attempt == RETRIES:
                raise
            sleep(float(2**attempt))
    raise AssertionError("unreachable")  # the loop returns or raises
