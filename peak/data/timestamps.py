"""Parse a time column into int64 UTC nanoseconds, and format times and durations for messages.

Accepted time values (the whole column is read one way, decided by its first value):

- ISO-8601 strings, with or without an offset: ``2020-01-01 00:00:00+00:00``, ``2020-01-01T01:00:00+01:00``,
  ``2020-01-01``. An offset is converted to UTC; a string without an offset is taken as UTC.
- unix epoch numbers. The unit is detected from the largest absolute value in the column: below ``1e11`` it
  is seconds, below ``1e14`` milliseconds, below ``1e17`` microseconds, else nanoseconds. ``1e11`` s is the
  year 5138 and ``1e11`` ms is 1973-03-03, so real market data falls unambiguously into one band.
- already-typed datetimes (parquet): tz-aware values are converted to UTC, naive ones are taken as UTC.
"""

from __future__ import annotations

from typing import NoReturn

import numpy as np
import pandas as pd

from peak.core.errors import ConfigError, DataError

_INT64_MAX = 2**63 - 1

ROW_NOTE = "(rows are 0-based data rows, header excluded)"
"""Appended to every row-level message so readers know how rows are counted."""

_UNIX_BANDS: tuple[tuple[float, int, str], ...] = (
    (1e11, 10**9, "seconds"),
    (1e14, 10**6, "milliseconds"),
    (1e17, 10**3, "microseconds"),
    (0.0, 1, "nanoseconds"),  # the last band takes everything above 1e17
)


def iso(ns: int) -> str:
    """ISO-8601 UTC text of an int64 ns time: ``iso(1577836800 * 10**9) == "2020-01-01T00:00:00+00:00"``."""
    return pd.Timestamp(int(ns), tz="UTC").isoformat()


def duration(ns: int) -> str:
    """Compact duration text: ``duration(3600 * 10**9) == "1h"``, ``"2d 3h"``, ``"1h 30m"``, ``"-1h"``."""
    value = int(ns)
    sign = "-" if value < 0 else ""
    rest = abs(value)
    parts = []
    for unit, size in (("d", 86400 * 10**9), ("h", 3600 * 10**9), ("m", 60 * 10**9), ("s", 10**9)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    if rest or not parts:
        parts.append(f"{rest}ns")
    return sign + " ".join(parts)


def unix_unit(values: np.ndarray) -> tuple[int, str]:
    """Nanoseconds per unit and the unit name for unix numbers, by magnitude (see the module docstring)."""
    finite = values[np.isfinite(values)]
    largest = float(np.max(np.abs(finite))) if finite.size else 0.0
    for limit, factor, name in _UNIX_BANDS[:-1]:
        if largest < limit:
            return factor, name
    return _UNIX_BANDS[-1][1], _UNIX_BANDS[-1][2]


def parse_time_column(series: pd.Series, *, source: str, column: str) -> np.ndarray:
    """int64 UTC ns of each value of ``series``; DataError naming the first value that cannot be read."""
    if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(series.dtype):
        parsed = pd.to_datetime(series, utc=True)
        return _checked_ns(parsed, series, source=source, column=column, expected="a time")
    if pd.api.types.is_bool_dtype(series.dtype):
        _raise_bad(series, 0, source=source, column=column, expected="a time")
    if pd.api.types.is_numeric_dtype(series.dtype) or _starts_numeric(series):
        return _parse_unix(series, source=source, column=column)
    text = series.astype("string")
    parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
    return _checked_ns(
        parsed,
        series,
        source=source,
        column=column,
        expected="an ISO-8601 time such as 2020-01-01 00:00:00+00:00",
    )


def _starts_numeric(series: pd.Series) -> bool:
    if series.empty:
        return False
    first = series.iloc[0]
    if first is None or (isinstance(first, float) and np.isnan(first)):
        return False
    try:
        float(str(first))
    except ValueError:
        return False
    return True


def _parse_unix(series: pd.Series, *, source: str, column: str) -> np.ndarray:
    if pd.api.types.is_integer_dtype(series.dtype):  # exact: no trip through float64
        return _scaled(series.to_numpy(dtype=np.int64), series, source=source, column=column)
    numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(numbers)
    if bad.any():
        expected = "a unix time (the column's first value is a number)"
        _raise_bad(series, int(np.argmax(bad)), source=source, column=column, expected=expected)
    if np.all(numbers == np.round(numbers)) and np.max(np.abs(numbers)) < 2**62:
        return _scaled(numbers.astype(np.int64), series, source=source, column=column)
    factor, _unit = unix_unit(numbers)
    _check_range(np.abs(numbers) > _INT64_MAX / factor, series, source=source, column=column)
    whole = np.floor(numbers)  # fractions separately: 1.5e18 ns has no room for them in a float64
    fraction = np.round((numbers - whole) * factor).astype(np.int64)
    return whole.astype(np.int64) * np.int64(factor) + fraction


def _scaled(values: np.ndarray, series: pd.Series, *, source: str, column: str) -> np.ndarray:
    """Whole unix numbers times their unit, checked against the int64 ns range (years 1678 to 2262)."""
    factor, _unit = unix_unit(values.astype(np.float64))
    _check_range(np.abs(values) > _INT64_MAX // factor, series, source=source, column=column)
    return values * np.int64(factor)


def _check_range(too_big: np.ndarray, series: pd.Series, *, source: str, column: str) -> None:
    if too_big.any():
        expected = "a time between the years 1678 and 2262 (int64 nanoseconds)"
        _raise_bad(series, int(np.argmax(too_big)), source=source, column=column, expected=expected)


def _checked_ns(
    parsed: pd.Series, original: pd.Series, *, source: str, column: str, expected: str
) -> np.ndarray:
    missing = parsed.isna().to_numpy()
    if missing.any():
        _raise_bad(original, int(np.argmax(missing)), source=source, column=column, expected=expected)
    return parsed.dt.as_unit("ns").astype("int64").to_numpy()


def _raise_bad(series: pd.Series, row: int, *, source: str, column: str, expected: str) -> NoReturn:
    value = series.iloc[row]
    value = value.item() if isinstance(value, np.generic) else value
    what = "missing time value" if pd.isna(value) else f"cannot read {value!r} as {expected}"
    raise DataError(
        f"{what} {ROW_NOTE}",
        source=source,
        column=column,
        row=row,
    )


def parse_instant(text: str, *, key: str) -> int:
    """int64 UTC ns of an ISO-8601 config value (no offset = UTC); ConfigError naming ``key`` otherwise.

    Example: ``parse_instant("2023-06-01", key="data.start") == 1685577600 * 10**9``.
    """
    try:
        stamp = pd.Timestamp(str(text))
    except (ValueError, TypeError) as exc:
        example = "2023-06-01 or 2023-06-01T12:00"
        raise ConfigError(f"{key}={text!r} is not an ISO-8601 time such as {example}") from exc
    if stamp is pd.NaT:
        raise ConfigError(f"{key}={text!r} is not a time")
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return int(stamp.as_unit("ns").value)
