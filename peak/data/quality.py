"""The quality report of loaded bars: range, gaps against the timeframe and zero-volume bars."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from peak.core.bars import Bars
from peak.data.timestamps import duration, iso

MAX_GAP_LOCATIONS = 10
"""How many gaps the report lists (the earliest ones); counts always cover all gaps."""


@dataclass(frozen=True)
class Gap:
    """One run of missing bars: ``start`` is the open time of the first missing bar (ISO UTC).

    ``row`` is the 0-based data row in the file of the first bar after the gap.
    Example: ``Gap(start="2021-04-25T05:00:00+00:00", missing_bars=3, row=11405)``.
    """

    start: str
    missing_bars: int
    row: int


@dataclass(frozen=True)
class QualityReport:
    """What a load found in the selected bars. Gaps are steps longer than one bar.

    ``largest_gap`` is the duration of the longest run of missing bars (``"5h"``, ``"1d 2h"``; ``"0s"`` when
    there is none) and ``largest_gap_bars`` the same in bars; ``gaps`` lists the first ``MAX_GAP_LOCATIONS``.
    """

    source: str
    symbol: str
    timeframe: str
    n_bars: int
    first_ts: str | None
    last_ts: str | None
    gap_count: int
    missing_bars: int
    largest_gap: str
    largest_gap_bars: int
    gaps: tuple[Gap, ...]
    zero_volume_bars: int

    @property
    def has_gaps(self) -> bool:
        """True when at least one bar is missing."""
        return self.gap_count > 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict (str, int, lists, None only), e.g. for an MLflow artifact."""
        return {
            "source": self.source,
            "symbol": self.symbol,
            "timeframe": self.timeframe,
            "n_bars": self.n_bars,
            "first_ts": self.first_ts,
            "last_ts": self.last_ts,
            "gap_count": self.gap_count,
            "missing_bars": self.missing_bars,
            "largest_gap": self.largest_gap,
            "largest_gap_bars": self.largest_gap_bars,
            "gaps": [{"start": g.start, "missing_bars": g.missing_bars, "row": g.row} for g in self.gaps],
            "zero_volume_bars": self.zero_volume_bars,
        }

    def summary(self) -> str:
        """One log line, e.g. ``BTC/USDT 1h: 37660 bars 2020-01-01T00:00:00+00:00 .. 2024-...; no gaps``."""
        head = f"{self.symbol} {self.timeframe}: {self.n_bars} bars {self.first_ts} .. {self.last_ts}"
        zero = f", {self.zero_volume_bars} zero-volume bars" if self.zero_volume_bars else ""
        if not self.gap_count:
            return f"{head}; no gaps{zero} ({self.source})"
        where = ", ".join(f"{g.missing_bars} at {g.start}" for g in self.gaps[:3])
        more = ", ..." if self.gap_count > 3 else ""
        return (
            f"{head}; {self.gap_count} gaps, {self.missing_bars} bars missing, largest {self.largest_gap} "
            f"({self.largest_gap_bars} bars); missing: {where}{more}{zero} ({self.source})"
        )


def quality_report(bars: Bars, *, row_offset: int = 0) -> QualityReport:
    """Report on ``bars`` (already checked: sorted, aligned). ``row_offset``: file row of ``bars[0]``."""
    ts, tf_ns = bars.ts, bars.timeframe.ns
    missing = np.diff(ts) // tf_ns - 1
    at = np.flatnonzero(missing > 0)
    largest = int(missing[at].max()) if at.size else 0
    gaps = tuple(
        Gap(start=iso(ts[i] + tf_ns), missing_bars=int(missing[i]), row=row_offset + int(i) + 1)
        for i in at[:MAX_GAP_LOCATIONS]
    )
    return QualityReport(
        source=bars.source,
        symbol=bars.symbol,
        timeframe=bars.timeframe.text,
        n_bars=len(bars),
        first_ts=iso(ts[0]) if len(bars) else None,
        last_ts=iso(ts[-1]) if len(bars) else None,
        gap_count=int(at.size),
        missing_bars=int(missing[at].sum()) if at.size else 0,
        largest_gap=duration(largest * tf_ns) if largest else "0s",
        largest_gap_bars=largest,
        gaps=gaps,
        zero_volume_bars=int(np.count_nonzero(bars.volume == 0)),
    )
