"""Parquet cache of checked bars, keyed by a content hash of the source file.

Location: ``$PEAK_CACHE_DIR``, else ``$XDG_CACHE_HOME/peak/data``, else ``~/.cache/peak/data``; one file
``<key>.parquet`` per source. The key is the sha256 of the cache format version, the symbol, the timeframe
and the source file's bytes, so an edited file gets a new key. A file is only ever written whole (temporary
file, fsync, rename). On read, the stored key, format versions and schema are checked and a crc32 of the
array bytes is compared with the one stored at write time; a file that fails any check is logged, removed
and rebuilt, never trusted. The data fingerprint stored beside the arrays is then reused, which keeps a
cached load at a few milliseconds (sha256 of 2 MB costs more than the rest of the load on some CPUs).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zlib
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from peak.core.bars import OHLCV_COLUMNS, Bars
from peak.core.timeframe import Timeframe
from peak.data.atomic import write_atomic
from peak.data.hashing import FINGERPRINT_VERSION, fingerprint, remember_fingerprint

log = logging.getLogger("peak.data")

CACHE_FORMAT = "peak.data.cache/1"
"""Bump when normalization or the file layout changes: every old cache file then misses."""
_META_KEY = b"peak.data"
_SCHEMA = pa.schema([("ts", pa.int64())] + [(name, pa.float64()) for name in OHLCV_COLUMNS])


class _CorruptCache(Exception):
    """A cache file that exists but must not be used."""


def cache_dir() -> Path:
    """``$PEAK_CACHE_DIR``, else ``$XDG_CACHE_HOME/peak/data``, else ``~/.cache/peak/data``."""
    if os.environ.get("PEAK_CACHE_DIR"):
        return Path(os.environ["PEAK_CACHE_DIR"]).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser()
    return base / "peak" / "data"


def cache_key(data: bytes, *, symbol: str, timeframe: str) -> str:
    """sha256 hex of the format version, symbol, timeframe and source bytes (64 hex characters)."""
    digest = hashlib.sha256(f"{CACHE_FORMAT}|{symbol}|{timeframe}|".encode())
    digest.update(data)
    return digest.hexdigest()


def cache_path(key: str) -> Path:
    """Where the bars for ``key`` are cached: ``<cache_dir>/<key>.parquet``."""
    return cache_dir() / f"{key}.parquet"


def load_cached(key: str, *, symbol: str, timeframe: Timeframe, source: str) -> Bars | None:
    """The cached bars for ``key``, or None on a miss or an invalid file (which is then removed)."""
    path = cache_path(key)
    if not path.is_file():
        return None
    try:
        return _read_verified(path, key, symbol=symbol, timeframe=timeframe, source=source)
    except (_CorruptCache, OSError, ValueError, KeyError, pa.ArrowException) as exc:
        log.warning("ignoring invalid cache file %s (%s); rebuilding it from %s", path, exc, source)
        path.unlink(missing_ok=True)
        return None


def store_cached(key: str, bars: Bars) -> None:
    """Write ``bars`` for ``key`` atomically. Failures only cost speed: logged as a warning, not raised."""
    path = cache_path(key)
    meta = _expected_meta(key, bars.symbol, bars.timeframe)
    meta.update(fingerprint=fingerprint(bars), crc32=_crc32(bars))
    arrays = [pa.array(bars.ts)] + [pa.array(getattr(bars, name)) for name in OHLCV_COLUMNS]
    table = pa.Table.from_arrays(arrays, schema=_SCHEMA.with_metadata({_META_KEY: json.dumps(meta)}))
    try:
        _write_table(table, path)
    except (OSError, pa.ArrowException) as exc:
        log.warning("could not write cache file %s: %s", path, exc)


def _write_table(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # plain, uncompressed pages: the fastest layout to read back (about 2 MB for 37,660 bars)
    options = {"compression": "none", "use_dictionary": False, "write_statistics": False}
    write_atomic(path, lambda fh: pq.write_table(table, fh, **options))


def _expected_meta(key: str, symbol: str, timeframe: Timeframe) -> dict[str, str]:
    return {
        "format": CACHE_FORMAT,
        "fingerprint_version": FINGERPRINT_VERSION.decode(),
        "key": key,
        "symbol": symbol,
        "timeframe": timeframe.text,
    }


def _crc32(bars: Bars) -> int:
    """crc32 of the bytes the fingerprint hashes (ts, then the OHLCV columns), about 1 GB/s."""
    crc = 0
    for name in ("ts", *OHLCV_COLUMNS):
        crc = zlib.crc32(np.ascontiguousarray(getattr(bars, name)).data, crc)
    return crc


def _read_verified(path: Path, key: str, *, symbol: str, timeframe: Timeframe, source: str) -> Bars:
    # one read() and no thread pool: the fastest way found for a 2 MB file (pq.read_table is slower)
    table = pq.ParquetFile(pa.BufferReader(path.read_bytes())).read(use_threads=False)
    meta = json.loads((table.schema.metadata or {}).get(_META_KEY, b"{}"))
    expected = _expected_meta(key, symbol, timeframe)
    if {name: meta.get(name) for name in expected} != expected:
        raise _CorruptCache(f"metadata {meta} does not match {expected}")
    if not table.schema.remove_metadata().equals(_SCHEMA):
        raise _CorruptCache(f"schema {table.schema.remove_metadata()} is not {_SCHEMA}")
    arrays = {name: np.ascontiguousarray(table.column(name).to_numpy()) for name in ("ts", *OHLCV_COLUMNS)}
    bars = Bars(symbol=symbol, timeframe=timeframe, source=source, **arrays)
    if _crc32(bars) != meta.get("crc32") or not isinstance(meta.get("fingerprint"), str):
        raise _CorruptCache("the data checksum does not match the one stored")
    remember_fingerprint(bars, meta["fingerprint"])
    return bars
