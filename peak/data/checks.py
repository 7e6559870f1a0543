"""Hard quality rules of a normalized OHLCV frame. Each violation raises ``DataError`` at the first bad row.

Value rules (any column): NaN or infinite values; prices <= 0; ``high < low``; ``high < max(open, close)``;
``low > min(open, close)``; ``volume < 0``. Zero volume is allowed (and counted in the quality report).

Time rules (the time column): a repeated timestamp; a timestamp earlier than the previous one (rows must
be sorted); a step shorter than the timeframe; a timestamp not aligned to the timeframe (bars open at
multiples of the timeframe since 1970-01-01 UTC, weeks on Mondays); no step equal to the timeframe at all.
The last three mean the file holds another timeframe. Steps longer than one bar are gaps: reported, not
raised here (see ``peak.data.quality``).

Within each group the earliest offending row wins; rows are 0-based data rows of the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from peak.core.errors import DataError
from peak.core.timeframe import Timeframe
from peak.data.timestamps import ROW_NOTE, duration, iso

_MONDAY_NS = 4 * 86400 * 10**9
"""1970-01-05, the first Monday after the epoch: weekly bars open on Mondays."""


@dataclass(frozen=True)
class _Rule:
    column: str
    mask: np.ndarray
    describe: Callable[[int], str]


def check_values(frame: pd.DataFrame, *, source: str, columns: dict[str, str]) -> None:
    """Apply the value rules to ``frame`` (normalized names); ``columns`` maps them to the file's names."""
    o, h, lo, c, v = (frame[k].to_numpy() for k in ("open", "high", "low", "close", "volume"))
    top, bottom = np.maximum(o, c), np.minimum(o, c)
    values = {"open": o, "high": h, "low": lo, "close": c, "volume": v}
    rules = [
        _Rule(name, ~np.isfinite(arr), lambda r, n=name, a=arr: f"{n} is {a[r]} (missing or infinite)")
        for name, arr in values.items()
    ]
    rules += [
        _Rule(name, arr <= 0, lambda r, n=name, a=arr: f"{n} {a[r]} is not a positive price")
        for name, arr in values.items()
        if name != "volume"
    ]
    rules += [
        _Rule("high", h < lo, lambda r: f"high {h[r]} < low {lo[r]}"),
        _Rule("high", h < top, lambda r: f"high {h[r]} < max(open, close) {top[r]}"),
        _Rule("low", lo > bottom, lambda r: f"low {lo[r]} > min(open, close) {bottom[r]}"),
        _Rule("volume", v < 0, lambda r: f"volume {v[r]} is negative"),
    ]
    ts = frame["ts"].to_numpy()
    _raise_first(rules, source=source, names=columns, ts=ts)


def check_time(ts: np.ndarray, tf: Timeframe, *, source: str, column: str) -> None:
    """Apply the time rules to int64 ns ``ts`` with the time column named ``column`` in the file."""
    if ts.shape[0] == 0:
        raise DataError("the file has no data rows", source=source)
    _raise_first(_time_rules(ts, tf, column), source=source, names={column: column}, ts=None)
    step = np.diff(ts)
    if step.shape[0] >= 2 and step.min() > tf.ns:
        raise DataError(
            f"no two consecutive rows are one {tf.text} bar apart; the smallest step is "
            f"{duration(step.min())} (wrong timeframe?) {ROW_NOTE}",
            source=source,
            column=column,
            row=int(np.argmin(step)) + 1,
        )


def _time_rules(ts: np.ndarray, tf: Timeframe, column: str) -> list[_Rule]:
    before = np.concatenate(([np.int64(0)], np.diff(ts)))  # before[r] = ts[r] - ts[r - 1]
    later = np.ones(ts.shape[0], dtype=bool)
    later[0] = False
    anchor = _MONDAY_NS if tf.text.endswith("w") else 0

    def since(r: int) -> str:
        return f" (step {duration(before[r])} since the previous row)" if r else ""

    return [
        _Rule(
            column, later & (before == 0), lambda r: f"duplicate timestamp {iso(ts[r])} (same as row {r - 1})"
        ),
        _Rule(
            column,
            later & (before < 0),
            lambda r: (
                f"timestamp {iso(ts[r])} is earlier than the previous row's {iso(ts[r - 1])}; "
                "rows must be sorted by time"
            ),
        ),
        _Rule(
            column,
            later & (before > 0) & (before < tf.ns),
            lambda r: (
                f"step of {duration(before[r])} before {iso(ts[r])} is shorter than the {tf.text} "
                "timeframe (wrong timeframe?)"
            ),
        ),
        _Rule(
            column,
            (ts - anchor) % tf.ns != 0,
            lambda r: (
                f"timestamp {iso(ts[r])} is not aligned to the {tf.text} timeframe{since(r)} "
                "(wrong timeframe?)"
            ),
        ),
    ]


def _raise_first(rules: list[_Rule], *, source: str, names: dict[str, str], ts: np.ndarray | None) -> None:
    """Raise for the rule that fails on the earliest row; on a tie the rule listed first wins."""
    best: tuple[int, _Rule] | None = None
    for rule in rules:
        if rule.mask.any():
            row = int(np.argmax(rule.mask))
            if best is None or row < best[0]:
                best = (row, rule)
    if best is None:
        return
    row, rule = best
    when = f" at {iso(ts[row])}" if ts is not None else ""
    raise DataError(
        f"{rule.describe(row)}{when} {ROW_NOTE}",
        source=source,
        column=names.get(rule.column, rule.column),
        row=row,
    )
