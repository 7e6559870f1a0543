"""load_bars: dispatch on data.source, start (inclusive) / end (exclusive), and their config checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pydantic
import pytest

from peak.core.errors import DataError
from peak.data import LoadedData, fingerprint, load_bars, read_ohlcv
from peak.data.config import CsvData, ParquetData, SampleData
from peak.data.sample import bundled_sample
from tests.unit.data.conftest import SliceWriter


def test_load_bars_when_csv_config_then_bars_fingerprint_and_quality(market_dir: Path) -> None:
    loaded = load_bars(CsvData(path=str(market_dir / "BTCUSDT_1h.csv.gz"), symbol="BTC/USDT", timeframe="1h"))

    assert isinstance(loaded, LoadedData)
    assert len(loaded.bars) == loaded.quality.n_bars == 37_660
    assert loaded.fingerprint == fingerprint(loaded.bars)
    assert loaded.quality.first_ts == "2020-01-01T00:00:00+00:00"


def test_load_bars_when_start_and_end_then_start_inclusive_end_exclusive(market_dir: Path) -> None:
    cfg = CsvData(
        path=str(market_dir / "BTCUSDT_1h.csv.gz"), start="2023-06-01", end="2023-06-02T00:00:00+00:00"
    )

    bars = load_bars(cfg).bars

    assert len(bars) == 24
    assert (bars.start, bars.end) == (
        pd.Timestamp("2023-06-01 00:00", tz="UTC"),
        pd.Timestamp("2023-06-01 23:00", tz="UTC"),
    )


def test_load_bars_when_start_has_offset_then_converted_to_utc(market_dir: Path) -> None:
    cfg = CsvData(path=str(market_dir / "BTCUSDT_1h.csv.gz"), start="2023-06-01T02:00:00+02:00")

    assert load_bars(cfg).bars.start == pd.Timestamp("2023-06-01 00:00", tz="UTC")


def test_load_bars_when_only_end_then_from_first_bar(btc_slice: list[str], write_lines: SliceWriter) -> None:
    loaded = load_bars(CsvData(path=str(write_lines(btc_slice)), end="2020-01-02", cache=False))

    assert len(loaded.bars) == 24
    assert loaded.fingerprint != fingerprint(
        read_ohlcv(write_lines(btc_slice), symbol="BTC/USDT", timeframe="1h")
    )


def test_load_bars_when_range_outside_data_then_error_names_requested_and_available(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    path = write_lines(btc_slice)

    with pytest.raises(DataError) as info:
        load_bars(CsvData(path=str(path), start="2021-01-01", end="2021-02-01", cache=False))

    message = str(info.value)
    assert "start=2021-01-01" in message and "end=2021-02-01" in message
    assert "2020-01-01T00:00:00+00:00 .. 2020-01-13T11:00:00+00:00" in message
    assert info.value.source == str(path)


def test_load_bars_when_parquet_config_then_same_as_csv(market_dir: Path, tmp_path: Path) -> None:
    csv_path = market_dir / "BTCUSDT_1d.csv.gz"
    pd.read_csv(csv_path).to_parquet(tmp_path / "btc.parquet")  # Date kept as ISO text

    from_parquet = load_bars(ParquetData(path=str(tmp_path / "btc.parquet"), timeframe="1d"))
    from_csv = load_bars(CsvData(path=str(csv_path), timeframe="1d"))

    assert from_parquet.fingerprint == from_csv.fingerprint


def test_load_bars_when_csv_path_missing_then_data_error_and_no_fallback(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        load_bars(CsvData(path=str(tmp_path / "missing.csv")))


@pytest.mark.parametrize(
    ("start", "end"), [("not-a-date", None), (None, "2023-13-01"), ("2023-06-02", "2023-06-01")]
)
def test_data_config_when_bad_start_or_end_then_validation_error(start: str | None, end: str | None) -> None:
    with pytest.raises(pydantic.ValidationError):
        CsvData(path="x.csv", start=start, end=end)


def test_data_config_when_yaml_date_object_then_kept_as_iso_text() -> None:
    import datetime

    cfg = SampleData(start=datetime.date(2023, 6, 1))

    assert cfg.start == "2023-06-01"


def test_load_bars_when_called_again_then_same_data_until_the_file_changes(tmp_path: Path) -> None:
    source = Path(bundled_sample("BTC/USDT", "1h"))
    copy = tmp_path / "btc.csv.gz"
    copy.write_bytes(source.read_bytes())
    cfg = CsvData(path=str(copy), symbol="BTC/USDT", timeframe="1h", cache=False)
    first = load_bars(cfg)
    assert load_bars(cfg) is first  # a sweep worker reuses what it (or its parent) loaded
    assert load_bars(cfg.model_copy(update={"end": "2023-06-01"})) is not first
    frame = pd.read_csv(source).iloc[:-1]  # one bar fewer, rewritten at once (same mtime tick)
    frame.to_csv(copy, index=False, compression="gzip")
    again = load_bars(cfg)
    assert len(again.bars) == len(first.bars) - 1 and again.fingerprint != first.fingerprint
