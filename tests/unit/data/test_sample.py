"""The bundled sample: real data shipped in the package, one file per (symbol, timeframe)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peak.core.errors import DataError
from peak.data import bundled_pairs, bundled_sample, load_bars
from peak.data.config import SampleData

PAIRS = [(f"{base}/USDT", tf) for base in ("BNB", "BTC", "ETH", "SOL") for tf in ("1d", "1h")]


def test_bundled_pairs_when_listed_then_four_symbols_hourly_and_daily() -> None:
    assert sorted(bundled_pairs()) == sorted(PAIRS)


@pytest.mark.parametrize(("symbol", "timeframe"), PAIRS)
def test_bundled_sample_when_pair_bundled_then_loads_clean_real_bars(symbol: str, timeframe: str) -> None:
    path = bundled_sample(symbol, timeframe)

    loaded = load_bars(SampleData(symbol=symbol, timeframe=timeframe))

    assert path.name == f"{symbol.replace('/', '')}_{timeframe}.csv.gz"
    assert loaded.bars.source == str(path)
    assert loaded.quality.gap_count == 0
    assert loaded.bars.end == pd.Timestamp(
        "2024-04-18 03:00" if timeframe == "1h" else "2024-04-18", tz="UTC"
    )
    if timeframe == "1h":
        assert loaded.bars.start == pd.Timestamp("2023-01-01", tz="UTC")
        assert len(loaded.bars) == 11_356


@pytest.mark.parametrize(("symbol", "timeframe"), PAIRS)
def test_bundled_sample_when_compared_to_shared_file_then_lines_copied_verbatim(
    market_dir: Path, symbol: str, timeframe: str
) -> None:
    path = bundled_sample(symbol, timeframe)
    bundled = gzip.decompress(path.read_bytes()).decode().splitlines()
    shared = gzip.decompress((market_dir / path.name).read_bytes()).decode().splitlines()

    assert bundled[0] == shared[0] == "Date,Open,High,Low,Close,Volume"
    assert bundled[1:] == shared[len(shared) - len(bundled) + 1 :]
    if timeframe == "1d":
        assert bundled == shared
    assert path.read_bytes()[4:8] == b"\0\0\0\0"  # gzip mtime 0: byte-stable


def test_bundled_sample_when_pair_unknown_then_error_lists_bundled_pairs() -> None:
    with pytest.raises(DataError, match="no bundled sample for DOGE/USDT 4h") as info:
        bundled_sample("DOGE/USDT", "4h")

    assert "BTC/USDT 1h" in str(info.value) and "SOL/USDT 1d" in str(info.value)


def test_load_bars_when_sample_with_start_then_selected_range() -> None:
    loaded = load_bars(SampleData(symbol="ETH/USDT", timeframe="1d", start="2024-01-01"))

    assert loaded.bars.start == pd.Timestamp("2024-01-01", tz="UTC")
    assert np.all(np.diff(loaded.bars.ts) == 86_400 * 10**9)
