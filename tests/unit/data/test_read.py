"""read_ohlcv on the real shared files and on other spellings of the same data: all give identical bars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peak.core.errors import DataError
from peak.data import fingerprint, read_ohlcv
from peak.data.timestamps import parse_time_column
from tests.unit.data.conftest import SliceWriter
from tests.unit.data.real_slices import assert_same_bars

HOUR_NS = 3600 * 10**9


@pytest.mark.parametrize("name", ["BTCUSDT", "ETHUSDT"])
def test_read_ohlcv_when_full_shared_file_then_37660_sorted_utc_bars(market_dir: Path, name: str) -> None:
    bars = read_ohlcv(market_dir / f"{name}_1h.csv.gz", symbol=f"{name[:3]}/USDT", timeframe="1h")

    assert len(bars) == 37_660
    assert bars.ts.dtype == np.int64
    assert all(getattr(bars, c).dtype == np.float64 for c in ("open", "high", "low", "close", "volume"))
    assert (np.diff(bars.ts) == HOUR_NS).all()  # sorted, no gaps
    assert bars.start == pd.Timestamp("2020-01-01 00:00", tz="UTC")
    assert bars.end == pd.Timestamp("2024-04-18 03:00", tz="UTC")
    assert (bars.symbol, bars.timeframe.text) == (f"{name[:3]}/USDT", "1h")
    assert bars.source.endswith(f"{name}_1h.csv.gz")


def test_read_ohlcv_when_first_line_then_values_match_the_file(market_dir: Path) -> None:
    bars = read_ohlcv(market_dir / "BTCUSDT_1h.csv.gz", symbol="BTC/USDT", timeframe="1h")

    # first data line: 2020-01-01 00:00:00+00:00,7189.43,7190.52,7170.15,7171.55,2449.049
    assert int(bars.ts[0]) == 1_577_836_800 * 10**9
    first = [bars.open[0], bars.high[0], bars.low[0], bars.close[0], bars.volume[0]]
    assert first == [7189.43, 7190.52, 7170.15, 7171.55, 2449.049]


def _variant(lines: list[str], date: object, header: str = "Date,Open,High,Low,Close,Volume") -> list[str]:
    """Same rows with the date field replaced by ``date(iso_text)``."""
    out = [header]
    for line in lines[1:]:
        text, rest = line.split(",", 1)
        out.append(f"{date(text)},{rest}")
    return out


def _unix_seconds(text: str) -> str:
    return str(pd.Timestamp(text).value // 10**9)


def _unix_ms(text: str) -> str:
    return str(pd.Timestamp(text).value // 10**6)


def _plus_two_hours_offset(text: str) -> str:
    return pd.Timestamp(text).tz_convert("Etc/GMT-2").isoformat()  # 02:00+02:00 is 00:00 UTC


def _naive(text: str) -> str:
    return text.removesuffix("+00:00")


@pytest.mark.parametrize(
    ("header", "date"),
    [
        ("date,open,high,low,close,volume", str),
        ("timestamp,open,high,low,close,volume", _unix_seconds),
        ("open_time,Open,HIGH,Low,close,Volume", _unix_ms),
        ("Datetime,Open,High,Low,Close,Volume", _plus_two_hours_offset),
        ("time,Open,High,Low,Close,Volume", _naive),
    ],
    ids=["lower-case", "unix-seconds", "unix-ms", "offset-+02:00", "naive-utc"],
)
def test_read_ohlcv_when_other_spelling_of_real_slice_then_identical_bars_and_fingerprint(
    btc_slice: list[str], write_lines: SliceWriter, header: str, date: object
) -> None:
    original = read_ohlcv(write_lines(btc_slice, "orig.csv"), symbol="BTC/USDT", timeframe="1h")

    variant = read_ohlcv(
        write_lines(_variant(btc_slice, date, header), "v.csv"), symbol="BTC/USDT", timeframe="1h"
    )

    assert_same_bars(variant, original)
    assert fingerprint(variant) == fingerprint(original)


def test_read_ohlcv_when_gzipped_copy_then_identical_to_plain(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    plain = read_ohlcv(write_lines(btc_slice, "a.csv"), symbol="BTC/USDT", timeframe="1h")

    gz = read_ohlcv(write_lines(btc_slice, "a.csv.gz"), symbol="BTC/USDT", timeframe="1h")

    assert_same_bars(gz, plain)


def test_read_ohlcv_when_parquet_round_trip_then_identical_bars(market_dir: Path, tmp_path: Path) -> None:
    csv_bars = read_ohlcv(market_dir / "BTCUSDT_1h.csv.gz", symbol="BTC/USDT", timeframe="1h")
    frame = pd.read_csv(market_dir / "BTCUSDT_1h.csv.gz")
    frame["Date"] = pd.to_datetime(frame["Date"], utc=True)
    frame.to_parquet(tmp_path / "btc.parquet")
    csv_bars.to_frame().to_parquet(tmp_path / "normalized.parquet")  # ts as int64 ns

    from_dates = read_ohlcv(tmp_path / "btc.parquet", symbol="BTC/USDT", timeframe="1h")
    from_ns = read_ohlcv(tmp_path / "normalized.parquet", symbol="BTC/USDT", timeframe="1h")

    assert_same_bars(from_dates, csv_bars)
    assert_same_bars(from_ns, csv_bars)
    assert fingerprint(from_dates) == fingerprint(csv_bars)


def test_read_ohlcv_when_parquet_indexed_by_time_then_index_used_as_time(
    btc_slice: list[str], write_lines: SliceWriter, tmp_path: Path
) -> None:
    csv_path = write_lines(btc_slice)
    frame = pd.read_csv(csv_path, index_col="Date")
    frame.index = pd.to_datetime(frame.index, utc=True)
    frame.to_parquet(tmp_path / "indexed.parquet")

    bars = read_ohlcv(tmp_path / "indexed.parquet", symbol="BTC/USDT", timeframe="1h")

    assert_same_bars(bars, read_ohlcv(csv_path, symbol="BTC/USDT", timeframe="1h"))


@pytest.mark.parametrize(
    ("values", "unit_ns"),
    [
        ([1_577_836_800, 1_577_840_400], 10**9),
        ([1_577_836_800_000, 1_577_840_400_000], 10**6),
        ([1_577_836_800_000_000, 1_577_840_400_000_000], 10**3),
        ([1_577_836_800_000_000_000, 1_577_840_400_000_000_000], 1),
    ],
    ids=["seconds", "milliseconds", "microseconds", "nanoseconds"],
)
def test_parse_time_column_when_unix_numbers_then_unit_from_magnitude(
    values: list[int], unit_ns: int
) -> None:
    ts = parse_time_column(pd.Series(values), source="x.csv", column="timestamp")

    assert ts.tolist() == [v * unit_ns for v in values]


def test_read_ohlcv_when_unknown_suffix_then_data_error_lists_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bars.xlsx"
    path.write_text("x")

    with pytest.raises(DataError, match=r"\.csv, \.csv\.gz.*\.parquet") as info:
        read_ohlcv(path, symbol="BTC/USDT", timeframe="1h")

    assert info.value.source == str(path)


def test_read_ohlcv_when_file_missing_then_data_error_names_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found") as info:
        read_ohlcv(tmp_path / "nope.csv", symbol="BTC/USDT", timeframe="1h")

    assert "nope.csv" in str(info.value)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "empty"),
        (b"Date,Open,High,Low,Close,Volume\n", "no data rows"),
        (b"\x1f\x8b\x08\x00abc", "gzip"),
    ],
    ids=["empty", "header-only", "corrupt-gzip"],
)
def test_read_ohlcv_when_empty_or_corrupt_then_data_error(tmp_path: Path, content: bytes, match: str) -> None:
    path = tmp_path / ("bad.csv.gz" if match == "gzip" else "bad.csv")
    path.write_bytes(content)

    with pytest.raises(DataError, match=match) as info:
        read_ohlcv(path, symbol="BTC/USDT", timeframe="1h")

    assert info.value.source == str(path)


def test_parse_time_column_when_fractional_or_nanosecond_values_then_exact() -> None:
    seconds = parse_time_column(pd.Series([1_577_836_800.25, 1_577_836_801.5]), source="x", column="time")
    nanos = parse_time_column(pd.Series([1_577_836_800_123_456_789]), source="x", column="ts")

    assert seconds.tolist() == [1_577_836_800_250_000_000, 1_577_836_801_500_000_000]
    assert nanos.tolist() == [1_577_836_800_123_456_789]


def test_parse_time_column_when_beyond_int64_nanoseconds_then_data_error_at_row() -> None:
    with pytest.raises(DataError, match="between the years 1678 and 2262") as info:
        parse_time_column(pd.Series([1_577_836_800_000_000, 90_000_000_000_000_000]), source="x", column="ts")

    assert (info.value.column, info.value.row) == ("ts", 1)
