"""Helpers to edit slices of the real shared files and to compare bars bit for bit."""

from __future__ import annotations

import numpy as np

from peak.core.bars import Bars

COLUMNS = ("Date", "Open", "High", "Low", "Close", "Volume")
"""Header of the shared files; ``COLUMNS.index("High") == 2`` is the field position in a line."""


def set_field(lines: list[str], row: int, column: str, value: str) -> list[str]:
    """Copy of ``lines`` with field ``column`` (e.g. ``"High"``) of data row ``row`` set to ``value``.

    ``row`` is 0-based and excludes the header, like the rows ``DataError`` reports.
    """
    out = list(lines)
    fields = out[row + 1].split(",")
    fields[COLUMNS.index(column)] = value
    out[row + 1] = ",".join(fields)
    return out


def copy_bars(bars: Bars, **changes: np.ndarray) -> Bars:
    """A new ``Bars`` with copied arrays (so no cached value can be shared), some replaced by ``changes``."""
    arrays = {name: getattr(bars, name).copy() for name in ("ts", "open", "high", "low", "close", "volume")}
    arrays.update(changes)
    return Bars(symbol=bars.symbol, timeframe=bars.timeframe, source=bars.source, **arrays)


def field(lines: list[str], row: int, column: str) -> float:
    """The numeric value of ``column`` in data row ``row``."""
    return float(lines[row + 1].split(",")[COLUMNS.index(column)])


def assert_same_bars(left: Bars, right: Bars) -> None:
    """Same symbol, timeframe, dtypes and values, bit for bit."""
    assert (left.symbol, left.timeframe) == (right.symbol, right.timeframe)
    for name in ("ts", "open", "high", "low", "close", "volume"):
        a, b = getattr(left, name), getattr(right, name)
        assert a.dtype == b.dtype, name
        assert a.tobytes() == b.tobytes(), name
