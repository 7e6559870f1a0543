"""The data fingerprint every run records: sha256 of the normalized bars."""

from __future__ import annotations

import hashlib
import weakref

import numpy as np

from peak.core.bars import OHLCV_COLUMNS, Bars

FINGERPRINT_VERSION = b"peak-bars-v1"
"""Hashed first: bump it if the byte layout below ever changes, so old and new fingerprints never collide."""

_memo: weakref.WeakKeyDictionary[Bars, str] = weakref.WeakKeyDictionary()


def fingerprint(bars: Bars) -> str:
    """sha256 hex (64 characters) of the normalized bars, e.g. ``"9f2c...e1"``.

    Hashed, in order: ``FINGERPRINT_VERSION``, ``|symbol|timeframe|n_bars|``, then the ``ts`` column as
    little-endian int64 and each of open, high, low, close, volume as little-endian float64. It does not
    depend on the file format, the source path or the process, and one changed bit of any value changes it.
    ``Bars`` arrays are read-only, so the value is remembered per object (the cache verifies it on load).
    """
    known = _memo.get(bars)
    if known is not None:
        return known
    digest = hashlib.sha256(FINGERPRINT_VERSION)
    digest.update(f"|{bars.symbol}|{bars.timeframe.text}|{len(bars)}|".encode())
    digest.update(np.ascontiguousarray(bars.ts, dtype="<i8").data)
    for name in OHLCV_COLUMNS:
        digest.update(np.ascontiguousarray(getattr(bars, name), dtype="<f8").data)
    value = digest.hexdigest()
    _memo[bars] = value
    return value


def remember_fingerprint(bars: Bars, value: str) -> None:
    """Record the fingerprint of ``bars`` computed earlier from the very same bytes (used by the cache,
    which checks a checksum of the arrays before it calls this), so it is not hashed again."""
    _memo[bars] = value
