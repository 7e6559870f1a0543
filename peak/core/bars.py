"""The normalized OHLCV container that every layer above ``peak.data`` consumes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from peak.core.timeframe import Timeframe

OHLCV_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "volume")


@dataclass(frozen=True, eq=False)
class Bars:
    """Sorted OHLCV bars of one symbol and timeframe.

    ``ts`` holds each bar's **open** time as int64 UTC nanoseconds; price and volume columns are float64.
    Arrays are read-only so that strategies cannot alter the data another component sees.
    Example: ``Bars(symbol="BTC/USDT", timeframe=Timeframe.parse("1h"), ts=..., open=..., ...)``.
    """

    symbol: str
    timeframe: Timeframe
    ts: np.ndarray
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    source: str = ""

    def __post_init__(self) -> None:
        for name in ("ts", *OHLCV_COLUMNS):
            arr = getattr(self, name)
            if arr.flags.writeable:
                arr.setflags(write=False)

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, symbol: str, timeframe: Timeframe, source: str = "") -> Bars:
        """Build from a normalized frame with columns ``ts`` (int64 ns) and the OHLCV columns (float64)."""
        arrays = {
            name: np.ascontiguousarray(frame[name].to_numpy(dtype=np.float64)) for name in OHLCV_COLUMNS
        }
        ts = np.ascontiguousarray(frame["ts"].to_numpy(dtype=np.int64))
        return cls(symbol=symbol, timeframe=timeframe, ts=ts, source=source, **arrays)

    def to_frame(self) -> pd.DataFrame:
        """The normalized frame: ``ts`` int64 ns then the OHLCV float64 columns."""
        import pandas as pd  # deferred: ~0.5 s, and config-only paths never need it

        data = {"ts": self.ts, **{name: getattr(self, name) for name in OHLCV_COLUMNS}}
        return pd.DataFrame(data)

    def slice(self, start: int, stop: int) -> Bars:
        """Bars ``[start, stop)`` by position, sharing memory with this object."""
        return Bars(
            symbol=self.symbol,
            timeframe=self.timeframe,
            source=self.source,
            ts=self.ts[start:stop],
            **{name: getattr(self, name)[start:stop] for name in OHLCV_COLUMNS},
        )

    @property
    def start(self) -> pd.Timestamp:
        """Open time of the first bar (UTC)."""
        import pandas as pd  # deferred: ~0.5 s, and config-only paths never need it

        return pd.Timestamp(int(self.ts[0]), tz="UTC")

    @property
    def end(self) -> pd.Timestamp:
        """Open time of the last bar (UTC)."""
        import pandas as pd  # deferred: ~0.5 s, and config-only paths never need it

        return pd.Timestamp(int(self.ts[-1]), tz="UTC")
