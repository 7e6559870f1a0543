"""The local parquet catalog of downloaded bars: one folder per exchange, symbol and timeframe.

Layout: ``<root>/<exchange>/<BASE-QUOTE>/<timeframe>/<YYYY-MM>.parquet`` (one file per UTC month, columns
``ts`` int64 UTC ns bar open time and float64 ``open, high, low, close, volume``) plus ``manifest.json``
with the last complete bar, the bar count, the range and the fingerprint of the whole series. Every file
is written to a temporary name, fsynced and renamed, so a reader or a resumed download never sees half a
file. Partitions are written before the manifest: after a crash the manifest may lag behind the data,
never lead it, and a resume re-fetches from the manifest's last bar and merges without duplicates.

Example: ``write_bars(catalog_dir(root, "kraken", "BTC/USD", "1h"), bars)`` then
``read_catalog(folder, symbol="BTC/USD", timeframe="1h")``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from peak.core.bars import OHLCV_COLUMNS, Bars
from peak.core.errors import DataError
from peak.core.timeframe import Timeframe
from peak.data.atomic import write_atomic
from peak.data.checks import check_time, check_values
from peak.data.hashing import fingerprint
from peak.data.timestamps import iso

CATALOG_FORMAT = "peak.data.catalog/1"
MANIFEST = "manifest.json"
_SCHEMA = pa.schema([("ts", pa.int64())] + [(name, pa.float64()) for name in OHLCV_COLUMNS])
_COLUMNS = {name: name for name in ("ts", *OHLCV_COLUMNS)}


@dataclass(frozen=True)
class Manifest:
    """What a catalog folder holds. Times are ISO UTC bar open times; ``last_complete`` is the newest bar
    that had closed when it was written (a resume continues one bar after it).

    Example: ``Manifest(exchange="kraken", symbol="BTC/USD", timeframe="1h", n_bars=720, first="2024-...",
    last_complete="2024-...", fingerprint="3f2a...")``.
    """

    exchange: str
    symbol: str
    timeframe: str
    n_bars: int
    first: str
    last_complete: str
    last_complete_ns: int
    fingerprint: str

    def to_dict(self) -> dict[str, object]:
        """JSON-safe dict, the content of ``manifest.json`` without the format tag."""
        return {
            "exchange": self.exchange,
            "symbol": self.symbol,
            "timeframe": self.timeframe,
            "n_bars": self.n_bars,
            "first": self.first,
            "last_complete": self.last_complete,
            "last_complete_ns": self.last_complete_ns,
            "fingerprint": self.fingerprint,
        }


def symbol_folder(symbol: str) -> str:
    """``"BTC/USD"`` → ``"BTC-USD"`` (a slash cannot be part of a folder name)."""
    return symbol.replace("/", "-")


def catalog_dir(root: str | Path, exchange: str, symbol: str, timeframe: str) -> Path:
    """``<root>/<exchange>/<BASE-QUOTE>/<timeframe>``, e.g. ``data/kraken/BTC-USD/1h``."""
    return Path(root).expanduser() / exchange / symbol_folder(symbol) / Timeframe.parse(timeframe).text


def month_of(ts_ns: np.ndarray) -> np.ndarray:
    """``"YYYY-MM"`` of each UTC nanosecond time: the partition a bar belongs to."""
    return np.datetime_as_string(ts_ns.astype("datetime64[ns]"), unit="M")


def write_bars(folder: Path, bars: Bars, *, exchange: str) -> Manifest:
    """Merge ``bars`` (complete bars only) into ``folder``: for each month touched, read the existing
    partition, keep one bar per time (the new one wins), sort, and rewrite it atomically; then rewrite the
    manifest. Returns the new manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    months = month_of(bars.ts)
    new = bars.to_frame()
    for month in np.unique(months):
        path = folder / f"{month}.parquet"
        part = new[months == month]
        if path.is_file():
            part = merge_frames(read_partition(path), part)
        _write_table(pa.Table.from_pandas(part, schema=_SCHEMA, preserve_index=False), path)
    return _write_manifest(folder, exchange=exchange, symbol=bars.symbol, timeframe=bars.timeframe)


def merge_frames(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``old`` and ``new`` bars as one sorted frame with one row per ``ts``; a bar in ``new`` replaces the
    bar of ``old`` at the same time. Example: merging pages that overlap by one bar gives no duplicate."""
    both = pd.concat([old, new], ignore_index=True)
    both = both.drop_duplicates(subset="ts", keep="last").sort_values("ts", kind="stable")
    return both.reset_index(drop=True)


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of ``folder``, or None when there is none yet; DataError when it is unreadable."""
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        if data.pop("format", None) != CATALOG_FORMAT:
            raise ValueError(f"format is not {CATALOG_FORMAT}")
        return Manifest(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise DataError(f"unreadable catalog manifest: {exc}", source=str(path)) from exc


def read_catalog(
    folder: Path, *, symbol: str, timeframe: str, start_ns: int | None = None, end_ns: int | None = None
) -> Bars:
    """The bars in ``folder`` with ``start_ns <= ts < end_ns`` (None: open ended), checked with the same
    value and time rules as a file (``peak.data.checks``). DataError when the folder holds no partition."""
    tf = Timeframe.parse(timeframe)
    paths = partitions(folder)
    if not paths:
        raise DataError(
            f"no catalog partitions (YYYY-MM.parquet) here; download them with "
            f"peak data download --symbol {symbol} --timeframe {tf.text}",
            source=str(folder),
        )
    lo = None if start_ns is None else str(month_of(np.array([start_ns]))[0])
    hi = None if end_ns is None else str(month_of(np.array([end_ns]))[0])
    chosen = [p for p in paths if (lo is None or p.stem >= lo) and (hi is None or p.stem <= hi)]
    frame = concat_frames([read_partition(p) for p in chosen])
    ts = frame["ts"].to_numpy()
    keep = np.ones(ts.shape[0], dtype=bool)
    if start_ns is not None:
        keep &= ts >= start_ns
    if end_ns is not None:
        keep &= ts < end_ns
    frame = frame[keep].reset_index(drop=True)
    source = str(folder)
    if frame.empty:
        raise DataError(f"no catalog bars in {_range_text(start_ns, end_ns)}", source=source)
    check_values(frame, source=source, columns=_COLUMNS)
    check_time(frame["ts"].to_numpy(), tf, source=source, column="ts")
    return Bars.from_frame(frame, symbol, tf, source=source)


def partitions(folder: Path) -> list[Path]:
    """The month files of ``folder`` in time order (``2024-01.parquet``, ``2024-02.parquet``, ...)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("????-??.parquet") if p.is_file())


def list_catalog(root: Path) -> list[tuple[Path, Manifest]]:
    """Every catalog folder under ``root`` that has a manifest, sorted by path."""
    if not root.is_dir():
        return []
    found = []
    for manifest in sorted(root.glob(f"*/*/*/{MANIFEST}")):
        loaded = read_manifest(manifest.parent)
        if loaded is not None:
            found.append((manifest.parent, loaded))
    return found


def _range_text(start_ns: int | None, end_ns: int | None) -> str:
    start = iso(start_ns) if start_ns is not None else "the first bar"
    end = iso(end_ns) if end_ns is not None else "the last bar"
    return f"{start} (inclusive) .. {end} (exclusive)"


def concat_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame({name: pd.Series(dtype="float64") for name in OHLCV_COLUMNS}).assign(
            ts=pd.Series(dtype="int64")
        )
    return pd.concat(frames, ignore_index=True)


def read_partition(path: Path) -> pd.DataFrame:
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"unreadable catalog partition: {exc}", source=str(path)) from exc
    if not table.schema.remove_metadata().equals(_SCHEMA):
        raise DataError(f"catalog partition schema {table.schema} is not {_SCHEMA}", source=str(path))
    return table.to_pandas()


def _write_manifest(folder: Path, *, exchange: str, symbol: str, timeframe: Timeframe) -> Manifest:
    frame = concat_frames([read_partition(p) for p in partitions(folder)])
    bars = Bars.from_frame(frame, symbol, timeframe, source=str(folder))
    manifest = Manifest(
        exchange=exchange,
        symbol=symbol,
        timeframe=timeframe.text,
        n_bars=len(bars),
        first=iso(bars.ts[0]),
        last_complete=iso(bars.ts[-1]),
        last_complete_ns=int(bars.ts[-1]),
        fingerprint=fingerprint(bars),
    )
    text = json.dumps({"format": CATALOG_FORMAT, **manifest.to_dict()}, indent=2) + "\n"
    write_atomic(folder / MANIFEST, lambda fh: fh.write(text.encode()))
    return manifest


def _write_table(table: pa.Table, path: Path) -> None:
    write_atomic(path, lambda fh: pq.write_table(table, fh, compression="zstd"))
