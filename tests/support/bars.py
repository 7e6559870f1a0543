"""Read the shared real OHLCV CSVs straight into ``Bars`` (tests must not depend on ``peak.data``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from peak.core.bars import Bars
from peak.core.timeframe import Timeframe


@lru_cache(maxsize=16)
def _load(path: Path, symbol: str, timeframe: str) -> Bars:
    frame = pd.read_csv(path)
    # as_unit: pandas may infer a coarser resolution than ns from ISO strings
    ts = pd.to_datetime(frame["Date"], utc=True).dt.as_unit("ns").astype("int64").to_numpy()
    cols = {
        name.lower(): np.ascontiguousarray(frame[name].to_numpy(np.float64))
        for name in ("Open", "High", "Low", "Close", "Volume")
    }
    return Bars(
        symbol=symbol,
        timeframe=Timeframe.parse(timeframe),
        ts=np.ascontiguousarray(ts),
        source=str(path),
        **cols,
    )


def load_shared_bars(market_dir: Path, symbol: str, timeframe: str) -> Bars:
    """Bars of ``<market_dir>/<symbol>_<timeframe>.csv.gz``, e.g. ``load_shared_bars(d, "BTCUSDT", "1h")``.

    Cached per file: ``Bars`` arrays are read-only, so sharing one object between tests is safe.
    """
    return _load(Path(market_dir) / f"{symbol}_{timeframe}.csv.gz", symbol, timeframe)


def make_bars(open_: list[float], close: list[float], timeframe: str = "1h", symbol: str = "TEST") -> Bars:
    """Tiny hand-made bars: high/low are the max/min of open and close, volume 1, hourly from 2024-01-01.

    Example: ``make_bars([100.0, 101.0], [101.0, 102.0])``.
    """
    tf = Timeframe.parse(timeframe)
    o = np.asarray(open_, dtype=np.float64)
    c = np.asarray(close, dtype=np.float64)
    start = pd.Timestamp("2024-01-01", tz="UTC").value
    ts = start + np.arange(o.shape[0], dtype=np.int64) * tf.ns
    return Bars(
        symbol=symbol,
        timeframe=tf,
        ts=ts,
        open=o,
        high=np.maximum(o, c),
        low=np.minimum(o, c),
        close=c,
        volume=np.ones_like(o),
    )


def shifted(bars: Bars, hours: int) -> Bars:
    """The same bars moved ``hours`` later, e.g. a symbol listed after the others."""
    return Bars(
        symbol=bars.symbol,
        timeframe=bars.timeframe,
        ts=bars.ts + hours * 3600 * 10**9,
        open=bars.open,
        high=bars.high,
        low=bars.low,
        close=bars.close,
        volume=bars.volume,
    )
