"""Pure download pieces: complete bars of a page, the start of a (resumed) download, short histories."""

from __future__ import annotations

import pytest

from peak.core.errors import DataError
from peak.core.timeframe import Timeframe
from peak.data.catalog import Manifest
from peak.data.pages import check_served_from, page_bars, start_ms

TF = Timeframe.parse("1h")
T0 = 1704067200000  # 2024-01-01 00:00 UTC in ms
HOUR = 3_600_000


def test_page_bars_when_last_candle_still_forming_then_dropped() -> None:
    rows = [[T0 + k * HOUR, 1.0, 2.0, 0.5, 1.5, 3.0] for k in range(3)]
    bars = page_bars(rows, symbol="BTC/USD", timeframe=TF, now_ms=T0 + 2 * HOUR + 60_000)
    assert bars.ts.tolist() == [T0 * 10**6, (T0 + HOUR) * 10**6]


def test_page_bars_when_rows_repeat_and_unsorted_then_sorted_unique() -> None:
    rows = [[T0 + HOUR, 1, 2, 0.5, 1.5, 3], [T0, 1, 2, 0.5, 1.5, 3], [T0 + HOUR, 1, 2, 0.5, 1.5, 3]]
    bars = page_bars(rows, symbol="BTC/USD", timeframe=TF, now_ms=T0 + 10 * HOUR)
    assert bars.ts.tolist() == [T0 * 10**6, (T0 + HOUR) * 10**6]


def test_start_ms_when_resume_with_manifest_then_one_bar_after_last_complete() -> None:
    manifest = Manifest(
        exchange="kraken",
        symbol="BTC/USD",
        timeframe="1h",
        n_bars=5,
        first="x",
        last_complete="y",
        last_complete_ns=(T0 + 4 * HOUR) * 10**6,
        fingerprint="f",
    )
    assert start_ms(T0, manifest, TF, resume=True) == T0 + 5 * HOUR
    assert start_ms(T0, manifest, TF, resume=False) == T0
    assert start_ms(T0 + 1, None, TF, resume=True) == T0 + HOUR


def test_check_served_from_when_exchange_starts_later_then_error_names_available_range() -> None:
    with pytest.raises(DataError, match=r"only from 2024-01-02T00:00:00\+00:00 onwards.*--since"):
        check_served_from(T0, T0 + 24 * HOUR, TF, exchange="kraken")
    check_served_from(T0, T0, TF, exchange="kraken")
