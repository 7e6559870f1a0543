"""Timeframes, the Bars container and the error ladder."""

from __future__ import annotations

import numpy as np
import pytest

from peak.core.bars import Bars
from peak.core.errors import ConfigError, DataError, PeakError
from peak.core.timeframe import Timeframe


@pytest.mark.parametrize(
    ("text", "per_year"), [("1h", 8760.0), ("1d", 365.0), ("15m", 35040.0), ("4h", 2190.0)]
)
def test_timeframe_when_parsed_then_bars_per_year_on_24_7_calendar(text: str, per_year: float) -> None:
    assert Timeframe.parse(text).bars_per_year == per_year


@pytest.mark.parametrize("text", ["", "1", "h", "0h", "1y", "1.5h", "-1h"])
def test_timeframe_when_invalid_then_config_error_lists_units(text: str) -> None:
    with pytest.raises(ConfigError, match="unit m, h, d or w"):
        Timeframe.parse(text)


def test_bars_when_built_then_arrays_read_only_and_slice_shares_memory() -> None:
    n = 5
    ts = np.arange(n, dtype=np.int64) * 3_600_000_000_000
    col = np.linspace(1.0, 2.0, n)
    bars = Bars("BTC/USDT", Timeframe.parse("1h"), ts, col.copy(), col + 1, col - 0.5, col.copy(), col.copy())
    with pytest.raises(ValueError):
        bars.close[0] = 3.0
    part = bars.slice(1, 3)
    assert len(part) == 2 and part.ts[0] == ts[1]
    assert bars.to_frame().columns.tolist() == ["ts", "open", "high", "low", "close", "volume"]
    assert str(bars.start) == "1970-01-01 00:00:00+00:00"


def test_data_error_when_location_known_then_message_and_attributes_name_it() -> None:
    err = DataError("NaN value", source="x.csv", column="close", row=4)
    assert str(err) == "file x.csv, column 'close', row 4: NaN value"
    assert (err.source, err.column, err.row) == ("x.csv", "close", 4)
    assert isinstance(err, PeakError) and err.exit_code == 3
