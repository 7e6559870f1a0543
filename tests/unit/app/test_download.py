"""Download orchestration against a plain Python fake of the exchange client (unit tests only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from peak.app.download import download
from peak.core.errors import DataError, TemporaryExchangeError
from peak.data.catalog import read_catalog, read_manifest

T0 = 1704067200000  # 2024-01-01 00:00 UTC
HOUR = 3_600_000


class FakeClient:
    """Serves hourly bars from ``first_ms``; fails with a TemporaryExchangeError ``flaky`` times."""

    def __init__(self, first_ms: int = T0, flaky: int = 0) -> None:
        self.first_ms, self.flaky, self.calls = first_ms, flaky, 0

    def fetch_ohlcv(self, symbol: str, timeframe: str, since_ms: int, limit: int) -> list[list[float]]:
        self.calls += 1
        if self.flaky:
            self.flaky -= 1
            raise TemporaryExchangeError("rate limited")
        start = max(since_ms - since_ms % HOUR, self.first_ms)
        return [
            [start + k * HOUR, 10.0 + k, 11.0 + k, 9.0 + k, 10.5 + k, 1.0] for k in range(min(limit, 300))
        ]


def _run(folder: Path, client: FakeClient, *, now_h: int, resume: bool = False) -> int:
    summary = download(
        client,
        folder,
        exchange="kraken",
        symbol="BTC/USD",
        timeframe="1h",
        since_ms=T0,
        resume=resume,
        now_ms=T0 + now_h * HOUR + 1,
        sleep=lambda s: None,
    )
    return summary.bars_written


def test_download_when_interrupted_and_resumed_then_every_bar_once(tmp_path: Path) -> None:
    assert _run(tmp_path, FakeClient(), now_h=500) == 500
    assert _run(tmp_path, FakeClient(), now_h=1000, resume=True) == 500
    bars = read_catalog(tmp_path, symbol="BTC/USD", timeframe="1h")
    assert len(bars) == 1000 and np.all(np.diff(bars.ts) == HOUR * 10**6)
    assert read_manifest(tmp_path).last_complete_ns == (T0 + 999 * HOUR) * 10**6  # type: ignore[union-attr]


def test_download_when_rate_limited_then_retries_and_completes(tmp_path: Path) -> None:
    client = FakeClient(flaky=2)
    assert _run(tmp_path, client, now_h=10) == 10


def test_download_when_rate_limited_past_retries_then_raises(tmp_path: Path) -> None:
    with pytest.raises(TemporaryExchangeError):
        _run(tmp_path, FakeClient(flaky=99), now_h=10)


def test_download_when_exchange_serves_later_history_then_refuses_naming_range(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="only from 2024-01-31"):
        _run(tmp_path, FakeClient(first_ms=T0 + 720 * HOUR), now_h=1440)
    assert not list(tmp_path.glob("*.parquet"))
