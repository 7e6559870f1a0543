"""Input checks shared by the indicator families: finite 1-D float64 series and integer periods."""

from __future__ import annotations

import numpy as np


def as_series(values: np.ndarray, name: str) -> np.ndarray:
    """``values`` as a contiguous 1-D float64 array; ``ValueError`` naming the first NaN/inf index.

    Why strict: a NaN inside a recursive average (EMA, Wilder) would poison every later value silently.
    Example: ``as_series([1, 2], "close")`` → ``array([1., 2.])``.
    """
    arr = np.ascontiguousarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {arr.shape}")
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ValueError(f"{name} must be finite; first bad index {int(bad[0])}")
    return arr


def as_period(period: int, name: str = "period") -> int:
    """``period`` as an int >= 1 (bars); ``ValueError`` otherwise. Example: ``as_period(14)`` → ``14``."""
    if int(period) != period or period < 1:
        raise ValueError(f"{name} must be an integer >= 1; got {period!r}")
    return int(period)
