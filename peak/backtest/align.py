"""Put several symbols' bars on one timeline for a portfolio (policy: ``portfolio.missing_bars``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce

import numpy as np

from peak.core.bars import Bars
from peak.core.errors import DataError


@dataclass(frozen=True, eq=False)
class AlignedBars:
    """``S`` symbols on ``T`` shared timestamps; row ``s`` of every matrix belongs to ``symbols[s]``.

    ``present[s, t]`` says whether symbol s has its own bar at ``ts[t]``; OHLCV are NaN where it does not.
    ``mark[s, t]`` is the last known close at or before ``ts[t]`` (NaN before the symbol's first bar): the
    price an open position is valued at. ``last_own[s, t]`` is the index of that bar in the symbol's own
    series (-1 before its first bar), used to carry strategy targets onto the timeline.
    """

    symbols: tuple[str, ...]
    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    volume: np.ndarray
    mark: np.ndarray
    present: np.ndarray
    last_own: np.ndarray

    def carry(self, s: int, own: np.ndarray, before: float = 0.0) -> np.ndarray:
        """Values of symbol ``s``'s own series held forward onto the timeline; ``before`` ahead of its first
        bar. Example: a strategy target known at a bar's close stays the order until the next own bar."""
        idx = self.last_own[s]
        out = np.where(idx >= 0, own[np.maximum(idx, 0)], before)
        return np.ascontiguousarray(out, dtype=np.float64)


def align_bars(series: Sequence[Bars], policy: str = "hold") -> AlignedBars:
    """Align ``series`` (one ``Bars`` per distinct symbol, same timeframe) under ``policy``.

    ``hold``: the union of all timestamps; ``drop``: only timestamps every symbol has. Raises
    ``DataError`` when timeframes differ or the ``drop`` intersection is empty.
    Example: ``align_bars([btc, eth]).ts`` → int64 ns of every hour either has.
    """
    if not series:
        raise ValueError("align_bars needs at least one symbol")
    frames = {b.timeframe.text for b in series}
    if len(frames) > 1:
        raise DataError(f"portfolio symbols have different timeframes: {', '.join(sorted(frames))}")
    if policy == "hold":
        ts = reduce(np.union1d, [b.ts for b in series])
    elif policy == "drop":
        ts = reduce(np.intersect1d, [b.ts for b in series])
        if ts.size == 0:
            names = ", ".join(b.symbol for b in series)
            raise DataError(f"missing_bars=drop: {names} share no timestamp in the selected period")
    else:
        raise ValueError(f"missing_bars must be hold or drop; got {policy!r}")
    ts = np.ascontiguousarray(ts, dtype=np.int64)
    shape = (len(series), ts.shape[0])
    mats = {name: np.full(shape, np.nan) for name in ("open", "high", "low", "volume", "mark")}
    present = np.zeros(shape, dtype=np.bool_)
    last_own = np.empty(shape, dtype=np.int64)
    for s, bars in enumerate(series):
        idx = np.searchsorted(bars.ts, ts, side="right") - 1
        last_own[s] = idx
        seen = idx >= 0
        present[s] = seen & (bars.ts[np.maximum(idx, 0)] == ts)
        for name in ("open", "high", "low", "volume"):
            mats[name][s, present[s]] = getattr(bars, name)[idx[present[s]]]
        mats["mark"][s, seen] = bars.close[idx[seen]]
    return AlignedBars(
        symbols=tuple(b.symbol for b in series),
        ts=ts,
        present=present,
        last_own=last_own,
        **mats,
    )
