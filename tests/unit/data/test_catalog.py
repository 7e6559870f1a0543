"""The parquet catalog: month partitions, atomic writes, manifest, merge without duplicates, checked reads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from peak.core.bars import Bars
from peak.core.errors import DataError
from peak.core.timeframe import Timeframe
from peak.data.catalog import (
    catalog_dir,
    list_catalog,
    partitions,
    read_catalog,
    read_manifest,
    write_bars,
)
from peak.data.config import CatalogData
from peak.data.load import load_bars

H = 3600 * 10**9
JAN_31_22H = 1706738400 * 10**9


def _bars(start_ns: int, n: int, price: float = 100.0) -> Bars:
    close = price + np.arange(n, dtype=np.float64)
    return Bars(
        symbol="BTC/USD",
        timeframe=Timeframe.parse("1h"),
        ts=start_ns + np.arange(n) * H,
        open=close,
        high=close + 1,
        low=close - 1,
        close=close,
        volume=np.ones(n),
    )


def test_write_bars_when_range_spans_months_then_one_partition_per_month(tmp_path: Path) -> None:
    folder = catalog_dir(tmp_path, "kraken", "BTC/USD", "1h")
    manifest = write_bars(folder, _bars(JAN_31_22H, 5), exchange="kraken")
    assert [p.name for p in partitions(folder)] == ["2024-01.parquet", "2024-02.parquet"]
    assert folder == tmp_path / "kraken" / "BTC-USD" / "1h"
    assert (manifest.n_bars, manifest.last_complete) == (5, "2024-02-01T02:00:00+00:00")
    assert not list(folder.glob("*.tmp"))


def test_write_bars_when_pages_overlap_then_no_duplicate_and_new_bar_wins(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    write_bars(folder, _bars(JAN_31_22H, 4), exchange="kraken")
    write_bars(folder, _bars(JAN_31_22H + 3 * H, 3, price=500.0), exchange="kraken")
    bars = read_catalog(folder, symbol="BTC/USD", timeframe="1h")
    assert len(bars) == 6 and np.all(np.diff(bars.ts) == H)
    assert bars.close[3] == 500.0
    assert read_manifest(folder).fingerprint  # type: ignore[union-attr]


def test_read_catalog_when_range_given_then_only_bars_inside(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    write_bars(folder, _bars(JAN_31_22H, 10), exchange="kraken")
    bars = read_catalog(
        folder, symbol="BTC/USD", timeframe="1h", start_ns=JAN_31_22H + 2 * H, end_ns=JAN_31_22H + 5 * H
    )
    assert bars.ts.tolist() == [JAN_31_22H + k * H for k in (2, 3, 4)]


def test_read_catalog_when_folder_empty_then_data_error_names_download(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="peak data download"):
        read_catalog(tmp_path / "none", symbol="BTC/USD", timeframe="1h")


def test_read_manifest_when_format_unknown_then_data_error(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(DataError, match="unreadable catalog manifest"):
        read_manifest(tmp_path)


def test_load_bars_when_catalog_config_then_checked_bars_and_list_shows_them(tmp_path: Path) -> None:
    write_bars(catalog_dir(tmp_path, "kraken", "BTC/USD", "1h"), _bars(JAN_31_22H, 48), exchange="kraken")
    cfg = CatalogData(root=str(tmp_path), symbol="BTC/USD", timeframe="1h", start="2024-02-01")
    loaded = load_bars(cfg)
    assert len(loaded.bars) == 46 and loaded.quality.gap_count == 0
    [(_folder, manifest)] = list_catalog(tmp_path)
    assert (manifest.exchange, manifest.n_bars) == ("kraken", 48)
