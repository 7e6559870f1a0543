"""Malformed copies of real data: each raises DataError naming the file, the column and the first bad row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from peak.core.errors import DataError
from peak.data import fingerprint, read_ohlcv
from peak.data import read as read_module
from tests.unit.data.conftest import SliceWriter
from tests.unit.data.real_slices import COLUMNS, assert_same_bars, field, set_field


def _raises(path: Path, timeframe: str = "1h") -> DataError:
    with pytest.raises(DataError) as info:
        read_ohlcv(path, symbol="BTC/USDT", timeframe=timeframe)
    error = info.value
    assert error.source == str(path)
    assert path.name in str(error)
    if error.row is not None:
        assert f"row {error.row}" in str(error)
        assert "0-based" in str(error)
    return error


def _drop_column(lines: list[str], column: str) -> list[str]:
    keep = [i for i, name in enumerate(COLUMNS) if name != column]
    return [",".join(line.split(",")[i] for i in keep) for line in lines]


def test_read_ohlcv_when_column_missing_then_error_names_it_and_lists_found(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    error = _raises(write_lines(_drop_column(btc_slice, "Low")))

    assert (error.column, error.row) == ("low", None)
    assert "Date, Open, High, Close, Volume" in str(error)


def test_read_ohlcv_when_no_time_column_then_error_lists_accepted_names(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    error = _raises(write_lines(["when" + btc_slice[0][4:], *btc_slice[1:]]))

    assert "date, timestamp, time, datetime, open_time" in str(error)


def test_read_ohlcv_when_duplicate_row_then_error_at_the_copy(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    lines = [*btc_slice[:52], btc_slice[51], *btc_slice[52:]]  # data row 50 repeated as row 51

    error = _raises(write_lines(lines))

    assert (error.column, error.row) == ("Date", 51)
    assert "duplicate timestamp 2020-01-03T02:00:00+00:00" in str(error)


@pytest.mark.parametrize("value", ["", "nan", "NaN", "inf", "-inf"])
def test_read_ohlcv_when_nan_or_inf_then_error_names_column_and_row(
    btc_slice: list[str], write_lines: SliceWriter, value: str
) -> None:
    error = _raises(write_lines(set_field(btc_slice, 20, "High", value)))

    assert (error.column, error.row) == ("High", 20)
    assert "missing or infinite" in str(error)


def test_read_ohlcv_when_high_below_low_then_error_at_high(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    low = field(btc_slice, 30, "Low")

    error = _raises(write_lines(set_field(btc_slice, 30, "High", str(low - 1.0))))

    assert (error.column, error.row) == ("High", 30)
    assert f"high {low - 1.0} < low {low}" in str(error)


def _row_with_body(lines: list[str], start: int) -> int:
    """First data row from ``start`` whose open and close differ by more than 1.0."""
    return next(
        r for r in range(start, len(lines) - 1) if abs(field(lines, r, "Open") - field(lines, r, "Close")) > 1
    )


def test_read_ohlcv_when_high_below_max_open_close_then_error_at_high(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    row = _row_with_body(btc_slice, 17)
    top = max(field(btc_slice, row, "Open"), field(btc_slice, row, "Close"))

    error = _raises(write_lines(set_field(btc_slice, row, "High", str(top - 0.5))))

    assert (error.column, error.row) == ("High", row)
    assert f"high {top - 0.5} < max(open, close) {top}" in str(error)


def test_read_ohlcv_when_low_above_min_open_close_then_error_at_low(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    row = _row_with_body(btc_slice, 40)
    bottom = min(field(btc_slice, row, "Open"), field(btc_slice, row, "Close"))

    error = _raises(write_lines(set_field(btc_slice, row, "Low", str(bottom + 0.5))))

    assert (error.column, error.row) == ("Low", row)
    assert f"low {bottom + 0.5} > min(open, close) {bottom}" in str(error)


def test_read_ohlcv_when_two_rows_swapped_then_error_at_the_earlier_timestamp(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    lines = list(btc_slice)
    lines[11], lines[12] = lines[12], lines[11]  # data rows 10 and 11

    error = _raises(write_lines(lines))

    assert (error.column, error.row) == ("Date", 11)
    assert "earlier than the previous row" in str(error)


def test_read_ohlcv_when_shuffled_then_error_names_time_column_and_first_bad_row(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    order = np.random.default_rng(7).permutation(len(btc_slice) - 1)
    lines = [btc_slice[0], *(btc_slice[i + 1] for i in order)]
    expected_row = int(np.argmax(np.diff(order) < 1)) + 1  # first step that is not forward in time

    error = _raises(write_lines(lines))

    assert (error.column, error.row) == ("Date", expected_row)


@pytest.mark.parametrize(("column", "value"), [("Open", "0"), ("Close", "-5.0"), ("Low", "0.0")])
def test_read_ohlcv_when_non_positive_price_then_error_names_column(
    btc_slice: list[str], write_lines: SliceWriter, column: str, value: str
) -> None:
    error = _raises(write_lines(set_field(btc_slice, 60, column, value)))

    assert (error.column, error.row) == (column, 60)
    assert "not a positive price" in str(error)


def test_read_ohlcv_when_negative_volume_then_error_at_volume(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    error = _raises(write_lines(set_field(btc_slice, 70, "Volume", "-1.5")))

    assert (error.column, error.row) == ("Volume", 70)
    assert "volume -1.5 is negative" in str(error)


def test_read_ohlcv_when_zero_volume_then_accepted(btc_slice: list[str], write_lines: SliceWriter) -> None:
    bars = read_ohlcv(write_lines(set_field(btc_slice, 70, "Volume", "0")), symbol="BTC/USDT", timeframe="1h")

    assert bars.volume[70] == 0.0


def test_read_ohlcv_when_date_unparseable_then_error_names_date_and_row(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    error = _raises(write_lines(set_field(btc_slice, 40, "Date", "2020-13-45 99:00")))

    assert (error.column, error.row) == ("Date", 40)
    assert "'2020-13-45 99:00'" in str(error)


def test_read_ohlcv_when_non_numeric_value_then_error_names_column_and_row(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    error = _raises(write_lines(set_field(btc_slice, 90, "Close", "12,5".replace(",", ";"))))

    assert (error.column, error.row) == ("Close", 90)
    assert "non-numeric value '12;5'" in str(error)


@pytest.mark.parametrize(("column", "value"), [("Date", "yesterday"), ("Open", "abc")])
def test_read_ohlcv_when_bad_value_deep_in_full_file_then_exact_row(
    btc_lines: list[str], write_lines: SliceWriter, column: str, value: str
) -> None:
    # beyond pyarrow's first 1 MB block: exercises the careful re-read that keeps the bad value
    error = _raises(write_lines(set_field(btc_lines, 30_000, column, value), "BTCUSDT_1h.csv.gz"))

    assert (error.column, error.row) == (column, 30_000)


def test_read_ohlcv_when_careful_csv_path_then_identical_to_fast_path(
    market_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = read_ohlcv(market_dir / "BTCUSDT_1h.csv.gz", symbol="BTC/USDT", timeframe="1h")

    def refuse(text: bytes) -> None:
        raise pa.ArrowInvalid("forced")

    monkeypatch.setattr(read_module, "_fast_csv", refuse)
    careful = read_ohlcv(market_dir / "BTCUSDT_1h.csv.gz", symbol="BTC/USDT", timeframe="1h")

    assert_same_bars(careful, fast)
    assert fingerprint(careful) == fingerprint(fast)


def test_read_ohlcv_when_hourly_file_read_as_4h_then_wrong_timeframe_error(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    error = _raises(write_lines(btc_slice), timeframe="4h")

    assert (error.column, error.row) == ("Date", 1)
    assert "step of 1h" in str(error) and "shorter than the 4h timeframe" in str(error)


def test_read_ohlcv_when_daily_file_read_as_1h_then_wrong_timeframe_error(market_dir: Path) -> None:
    error = _raises(market_dir / "BTCUSDT_1d.csv.gz", timeframe="1h")

    assert error.column == "Date"
    assert "smallest step is 1d" in str(error)


def test_read_ohlcv_when_times_not_on_the_hour_then_alignment_error(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    lines = [btc_slice[0]] + [line.replace(":00:00+00:00", ":30:00+00:00", 1) for line in btc_slice[1:]]

    error = _raises(write_lines(lines))

    assert (error.column, error.row) == ("Date", 0)
    assert "not aligned to the 1h timeframe" in str(error)


def test_read_ohlcv_when_ragged_line_then_error_names_file(
    btc_slice: list[str], write_lines: SliceWriter
) -> None:
    lines = list(btc_slice)
    lines[5] += ",1.0"

    _raises(write_lines(lines))


@pytest.mark.parametrize(
    ("first_day", "ok"), [("2024-01-01", True), ("2024-01-04", False)], ids=["monday", "thursday"]
)
def test_read_ohlcv_when_weekly_bars_then_aligned_on_mondays(
    write_lines: SliceWriter, first_day: str, ok: bool
) -> None:
    days = pd.date_range(first_day, periods=6, freq="7D", tz="UTC")
    lines = ["Date,Open,High,Low,Close,Volume", *(f"{d.isoformat()},10,12,9,11,100" for d in days)]
    path = write_lines(lines, "weekly.csv")

    if ok:
        assert len(read_ohlcv(path, symbol="BTC/USDT", timeframe="1w")) == 6
    else:
        error = _raises(path, timeframe="1w")
        assert (error.column, error.row) == ("Date", 0)
