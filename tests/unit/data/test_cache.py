"""The parquet cache: hit on the second load, a new key for new content, corrupt files rebuilt."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from peak.data import fingerprint, load_bars, read_ohlcv
from peak.data import load as load_module
from peak.data.cache import cache_dir, cache_key
from peak.data.config import CsvData
from peak.data.load import forget_loaded
from tests.unit.data.conftest import SliceWriter
from tests.unit.data.real_slices import assert_same_bars, copy_bars, set_field


def _parse_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(data: bytes, path: Path) -> pd.DataFrame:
        raise AssertionError(f"{path} was parsed although it is cached")

    monkeypatch.setattr(load_module, "parse_raw", refuse)


def _cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.parquet"))


def test_cache_when_loaded_twice_then_second_load_skips_csv_parsing_and_is_identical(
    market_dir: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = CsvData(path=str(market_dir / "BTCUSDT_1h.csv.gz"))
    first = load_bars(cfg)
    assert len(_cache_files(cache_dir)) == 1

    _parse_forbidden(monkeypatch)
    forget_loaded()  # from the on-disk cache, not from this process's memory
    second = load_bars(cfg)

    assert_same_bars(second.bars, first.bars)
    assert second.bars.source == first.bars.source
    assert second.fingerprint == first.fingerprint
    assert fingerprint(copy_bars(second.bars)) == first.fingerprint  # recomputed from the cached arrays
    assert second.quality == first.quality


def test_cache_when_loaded_from_cache_then_equal_to_uncached_read(market_dir: Path) -> None:
    path = market_dir / "BTCUSDT_1h.csv.gz"
    load_bars(CsvData(path=str(path)))
    forget_loaded()

    cached = load_bars(CsvData(path=str(path)))

    assert_same_bars(cached.bars, read_ohlcv(path, symbol="BTC/USDT", timeframe="1h"))


def test_cache_when_file_content_changes_then_new_key_and_new_data(
    btc_slice: list[str], write_lines: SliceWriter, cache_dir: Path
) -> None:
    path = write_lines(btc_slice)
    before = load_bars(CsvData(path=str(path)))
    key_before = cache_key(path.read_bytes(), symbol="BTC/USDT", timeframe="1h")

    write_lines(set_field(btc_slice, 5, "Volume", "12.5"))
    after = load_bars(CsvData(path=str(path)))

    assert cache_key(path.read_bytes(), symbol="BTC/USDT", timeframe="1h") != key_before
    assert after.bars.volume[5] == 12.5
    assert after.fingerprint != before.fingerprint
    assert len(_cache_files(cache_dir)) == 2


def test_cache_when_symbol_or_timeframe_differs_then_different_key() -> None:
    keys = {
        cache_key(b"x", symbol=s, timeframe=t)
        for s, t in [("BTC/USDT", "1h"), ("ETH/USDT", "1h"), ("BTC/USDT", "1d")]
    }

    assert len(keys) == 3


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped-data-bit"])
def test_cache_when_cache_file_corrupt_then_ignored_warned_and_rewritten(
    btc_slice: list[str],
    write_lines: SliceWriter,
    cache_dir: Path,
    caplog: pytest.LogCaptureFixture,
    damage: str,
) -> None:
    path = write_lines(btc_slice)
    good = load_bars(CsvData(path=str(path)))
    (cached,) = _cache_files(cache_dir)
    content = bytearray(cached.read_bytes())
    if damage == "garbage":
        content = bytearray(b"not a parquet file")
    elif damage == "truncated":
        content = content[: len(content) // 2]
    else:  # one bit of one close price, inside the data page: only the checksum can notice
        where = bytes(content).index(good.bars.close[10:12].tobytes())
        content[where] ^= 0x01
    cached.write_bytes(bytes(content))
    forget_loaded()

    with caplog.at_level(logging.WARNING, logger="peak.data"):
        again = load_bars(CsvData(path=str(path)))

    assert_same_bars(again.bars, good.bars)
    assert again.fingerprint == good.fingerprint
    messages = [r.getMessage() for r in caplog.records if "invalid cache file" in r.getMessage()]
    assert len(messages) == 1
    if damage == "flipped-data-bit":
        assert "checksum does not match" in messages[0]
    assert pq.read_table(cached).num_rows == 300  # rebuilt whole


def test_cache_when_written_then_no_temporary_file_left(market_dir: Path, cache_dir: Path) -> None:
    load_bars(CsvData(path=str(market_dir / "BTCUSDT_1d.csv.gz"), timeframe="1d"))

    assert [p.suffix for p in cache_dir.iterdir()] == [".parquet"]


def test_cache_when_disabled_then_nothing_written(
    btc_slice: list[str], write_lines: SliceWriter, cache_dir: Path
) -> None:
    load_bars(CsvData(path=str(write_lines(btc_slice)), cache=False))

    assert not cache_dir.exists()


def test_cache_when_folder_unwritable_then_warning_and_data_still_loaded(
    btc_slice: list[str],
    write_lines: SliceWriter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("PEAK_CACHE_DIR", str(blocker / "cache"))  # cannot mkdir below a file

    with caplog.at_level(logging.WARNING, logger="peak.data"):
        loaded = load_bars(CsvData(path=str(write_lines(btc_slice))))

    assert len(loaded.bars) == 300
    assert any("could not write cache file" in r.getMessage() for r in caplog.records)


def test_cache_dir_when_env_set_or_not_then_documented_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cache_dir() == tmp_path / "cache"  # the autouse fixture sets PEAK_CACHE_DIR

    monkeypatch.delenv("PEAK_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "peak" / "data"

    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "peak" / "data"


def test_cache_when_loaded_then_bars_are_read_only(market_dir: Path) -> None:
    cfg = CsvData(path=str(market_dir / "BTCUSDT_1d.csv.gz"), timeframe="1d")
    load_bars(cfg)

    bars = load_bars(cfg).bars

    with pytest.raises(ValueError, match="read-only"):
        bars.close[0] = np.float64(1.0)
