"""Exact comparison of two runs' metrics: bit-for-bit floats, NaN equal to NaN, nothing rounded.

A metric reaches two places and each keeps it differently, so each is compared in its own form:

- ``mlflow``: what the store holds. Peak never logs None or NaN, and MLflow's SQL stores clamp +-inf to
  the largest finite float of that sign; :func:`as_stored` applies the same rules to fresh values.
- ``metrics.json``: the run folder's file, which keeps NaN, infinities and undefined (null) values.
"""

from __future__ import annotations

import json
import math
import struct
import sys
from collections.abc import Collection, Mapping
from typing import Literal

from peak.core.config import FrozenModel
from peak.core.results import MetricValue

Source = Literal["mlflow", "metrics.json"]
"""Where a compared value was read: the MLflow store or the run folder's metrics.json."""

WALL_CLOCK_SUFFIXES = ("_per_second", ".seconds", "_seconds")
"""Metrics that measure the machine, not the result (``grid.cells_per_second``); a rerun cannot repeat
them, so they are listed as not compared instead of failing every rerun of a grid."""

_MAX_FLOAT = sys.float_info.max
_TEXT_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class MetricCheck(FrozenModel):
    """One metric of one source, e.g. ``MetricCheck(name="sharpe", source="mlflow", original=1.19,
    rerun=1.19, in_original=True, in_rerun=True, matches=True)``. A value absent from a side is None with
    ``in_<side>`` False; a present None is an undefined metric (metrics.json's ``null``)."""

    name: str
    source: Source
    original: float | None
    rerun: float | None
    in_original: bool
    in_rerun: bool
    matches: bool


def is_wall_clock(name: str) -> bool:
    """True for timing metrics such as ``grid.cells_per_second`` (see :data:`WALL_CLOCK_SUFFIXES`)."""
    return name.endswith(WALL_CLOCK_SUFFIXES)


def stored_value(value: MetricValue) -> float | None:
    """The value MLflow keeps for a metric Peak logs, or None when it is never logged.

    Example: ``stored_value(math.inf) == sys.float_info.max``; ``stored_value(math.nan) is None``.
    """
    if value is None:
        return None
    number = float(value)
    if math.isnan(number):
        return None
    if math.isinf(number):
        return _MAX_FLOAT if number > 0 else -_MAX_FLOAT
    return number


def as_stored(metrics: Mapping[str, MetricValue]) -> dict[str, float]:
    """``metrics`` as the store would hold them after ``RunHandle.log`` (unlogged ones left out)."""
    stored = {name: stored_value(value) for name, value in metrics.items()}
    return {name: value for name, value in stored.items() if value is not None}


def parse_metrics_json(text: str) -> dict[str, float | None]:
    """metrics.json back to numbers: ``"nan"``, ``"inf"`` and ``"-inf"`` become floats, ``null`` None.

    Example: ``parse_metrics_json('{"sharpe": 1.5, "profit_factor": "inf"}')["profit_factor"] == math.inf``.
    Raises ``ValueError`` naming the key when a value is neither a number, null nor one of those strings.
    """
    parsed: dict[str, float | None] = {}
    for name, value in json.loads(text).items():
        if value is None:
            parsed[name] = None
        elif isinstance(value, str) and value in _TEXT_FLOATS:
            parsed[name] = _TEXT_FLOATS[value]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            parsed[name] = float(value)
        else:
            allowed = "a number, null, 'nan', 'inf' or '-inf'"
            raise ValueError(f"metrics.json: {name!r} is {value!r}; expected {allowed}")
    return parsed


def identical(a: float | None, b: float | None) -> bool:
    """Bit-for-bit equality of two metric values, NaN equal to NaN (whatever its payload).

    ``0.0`` and ``-0.0`` differ, as do ``0.1 + 0.2`` and ``0.3``; None equals only None.
    """
    if a is None or b is None:
        return a is None and b is None
    if math.isnan(a) and math.isnan(b):
        return True
    return struct.pack("<d", a) == struct.pack("<d", b)


def compare_metrics(
    original: Mapping[str, float | None],
    rerun: Mapping[str, float | None],
    source: Source,
    skip: Collection[str] = (),
) -> list[MetricCheck]:
    """One check per metric name on either side (minus ``skip``), in name order; a metric present on
    one side only never matches."""
    checks = []
    for name in sorted((set(original) | set(rerun)) - set(skip)):
        a, b = original.get(name), rerun.get(name)
        in_a, in_b = name in original, name in rerun
        checks.append(
            MetricCheck(
                name=name,
                source=source,
                original=a,
                rerun=b,
                in_original=in_a,
                in_rerun=in_b,
                matches=in_a and in_b and identical(a, b),
            )
        )
    return checks
