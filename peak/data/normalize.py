"""Turn a frame as read from a file into the normalized OHLCV frame (``ts`` int64 ns + float64 columns).

Column names are matched case-insensitively. The time column is the first of ``TIME_COLUMNS`` present;
the required columns are ``open, high, low, close, volume``. Rows keep their file order: sorting is
checked (``peak.data.checks``), never silently applied, so a row number always points into the file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from peak.core.bars import OHLCV_COLUMNS
from peak.core.errors import DataError
from peak.data.timestamps import ROW_NOTE, parse_time_column

TIME_COLUMNS: tuple[str, ...] = ("date", "timestamp", "time", "datetime", "open_time", "ts")
"""Accepted names of the bar open-time column, case-insensitive, in order of preference."""


@dataclass(frozen=True)
class Normalized:
    """The normalized frame and the file's column names, for messages (``columns["open"] == "Open"``)."""

    frame: pd.DataFrame
    time_column: str
    columns: dict[str, str]


def normalize(raw: pd.DataFrame, *, source: str) -> Normalized:
    """Normalize ``raw``; DataError naming the file, the column and the first bad row on any bad value."""
    raw = _time_index_as_column(raw)
    by_lower = _columns_by_lower(raw, source=source)
    time_column = _find_time_column(by_lower, source=source)
    columns = _find_ohlcv_columns(by_lower, source=source)
    ts = parse_time_column(raw[time_column], source=source, column=time_column)
    data = {"ts": ts}
    bad: list[tuple[int, str, object]] = []
    for name in OHLCV_COLUMNS:
        values, first_bad = _as_float(raw[columns[name]])
        data[name] = values
        if first_bad is not None:
            bad.append((first_bad, columns[name], raw[columns[name]].iloc[first_bad]))
    if bad:
        row, column, value = min(bad, key=lambda item: item[0])
        raise DataError(f"non-numeric value {value!r} {ROW_NOTE}", source=source, column=column, row=row)
    data["volume"] = data["volume"] + 0.0  # -0.0 → 0.0 so equal data always has equal bytes
    return Normalized(frame=pd.DataFrame(data), time_column=time_column, columns=columns)


def _time_index_as_column(raw: pd.DataFrame) -> pd.DataFrame:
    """A parquet file written from a frame indexed by time keeps its time as the index; use it as a column."""
    if isinstance(raw.index, pd.DatetimeIndex):
        return raw.reset_index(names=raw.index.name or "date")
    return raw


def _columns_by_lower(raw: pd.DataFrame, *, source: str) -> dict[str, str]:
    by_lower: dict[str, str] = {}
    for name in raw.columns:
        key = str(name).strip().lower()
        if key in by_lower:
            raise DataError(
                f"columns {by_lower[key]!r} and {name!r} clash (names are compared ignoring case)",
                source=source,
                column=key,
            )
        by_lower[key] = str(name)
    return by_lower


def _find_time_column(by_lower: dict[str, str], *, source: str) -> str:
    for name in TIME_COLUMNS:
        if name in by_lower:
            return by_lower[name]
    raise DataError(
        f"no time column: expected one of {', '.join(TIME_COLUMNS)} (any case); "
        f"found columns {', '.join(by_lower.values())}",
        source=source,
        column="date",
    )


def _find_ohlcv_columns(by_lower: dict[str, str], *, source: str) -> dict[str, str]:
    for name in OHLCV_COLUMNS:
        if name not in by_lower:
            raise DataError(
                f"missing required column {name!r} (any case); found columns {', '.join(by_lower.values())}",
                source=source,
                column=name,
            )
    return {name: by_lower[name] for name in OHLCV_COLUMNS}


def _as_float(series: pd.Series) -> tuple[np.ndarray, int | None]:
    """float64 values and the row of the first value that is present but not a number (None if all are)."""
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return np.asarray(series.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64), None
    numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    not_number = np.isnan(numbers) & series.notna().to_numpy()
    if pd.api.types.is_bool_dtype(dtype):
        not_number = series.notna().to_numpy()
    first = int(np.argmax(not_number)) if not_number.any() else None
    return numbers, first
