"""Chart specifications: what to draw, independent of how. ``plotly_charts`` draws them interactive for
HTML, ``static_charts`` as images for the PDF."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from peak.reporting.formatting import ValueFormat


@dataclass(frozen=True)
class Series:
    """One curve. ``x`` is ``datetime64[ns]`` or numbers; ``fill`` shades down to zero (drawdown)."""

    name: str
    x: np.ndarray
    y: np.ndarray
    mode: str = "lines"
    fill: bool = False


@dataclass(frozen=True)
class Band:
    """A shaded range between ``lower`` and ``upper`` (a Monte-Carlo percentile fan)."""

    name: str
    x: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


@dataclass(frozen=True)
class LineChart:
    """Curves over time or over a parameter; ``marks`` draws vertical lines (fold boundaries)."""

    title: str
    series: tuple[Series, ...]
    y_format: ValueFormat = "num"
    y_title: str = ""
    x_title: str = ""
    bands: tuple[Band, ...] = ()
    marks: tuple[np.datetime64, ...] = ()
    x_labels: tuple[str, ...] = ()
    """Category names when ``x`` holds their positions 0..n-1 (a parameter that is not a number)."""
    height: float = 3.0
    """Height in inches of the static chart (its width is the A4 text width)."""


@dataclass(frozen=True)
class Heatmap:
    """``z[i, j]`` at row ``y_labels[i]``, column ``x_labels[j]``; NaN cells stay blank. ``diverging``
    centres the colour scale on zero (returns)."""

    title: str
    x_labels: tuple[str, ...]
    y_labels: tuple[str, ...]
    z: np.ndarray
    value_format: ValueFormat = "num"
    x_title: str = ""
    y_title: str = ""
    diverging: bool = False


@dataclass(frozen=True)
class Histogram:
    """The distribution of ``values`` in ``bins`` equal bins."""

    title: str
    values: np.ndarray
    x_format: ValueFormat = "pct"
    x_title: str = ""
    bins: int = 60


Chart = LineChart | Heatmap | Histogram


def thin(x: np.ndarray, y: np.ndarray, max_points: int) -> tuple[np.ndarray, np.ndarray]:
    """At most about ``max_points`` points of a curve, keeping each bucket's lowest and highest point so
    that peaks and drawdown troughs survive. ``thin(x, y, 2000)`` on 37,000 bars keeps ~2,000."""
    n = int(y.shape[0])
    if n <= max_points or max_points < 4:
        return x, y
    buckets = max_points // 2
    edges = np.linspace(0, n, buckets + 1).astype(np.int64)
    keep = [0, n - 1]
    values = np.where(np.isnan(y), 0.0, y)
    for lo, hi in itertools.pairwise(edges.tolist()):
        if hi > lo:
            part = values[lo:hi]
            keep += [lo + int(np.argmin(part)), lo + int(np.argmax(part))]
    index = np.unique(np.asarray(keep, dtype=np.int64))
    return x[index], y[index]
