"""Grid definitions: ``{fast: "range(5,55,5)", slow: [50, 100]}`` → named axes of values → strategy configs.

A value of an axis may be written as a list (``[5, 10, 20]``), a single value (``20``), or a string
``"range(start, stop[, step])"`` (integers, stop excluded, like Python's ``range``) or
``"linspace(start, stop, n)"`` (n floats, both ends included). Keys are fields of the selected strategy.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from peak.core.errors import ConfigError
from peak.strategies.config import StrategyConfig

MAX_COMBOS = 1_000_000
"""Most combinations one grid may expand to; beyond this a typo (a step of 1 on a wide range) is likelier
than intent, and the results table alone would pass 100 MB."""

_CALL = re.compile(r"^\s*(range|linspace)\s*\((.*)\)\s*$")
_STRATEGY = TypeAdapter(StrategyConfig)

GridValue = int | float | bool | str
"""One value of one axis."""


@dataclass(frozen=True)
class Axis:
    """One swept strategy field and its values, in the order given."""

    name: str
    values: tuple[GridValue, ...]


@dataclass(frozen=True)
class Combo:
    """One grid cell: its position in expansion order, the axis values and the validated strategy."""

    index: int
    params: dict[str, GridValue]
    strategy: Any  # a StrategyConfig member; Any because the union is an Annotated alias


def _number(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"{where}: {text.strip()!r} is not a number") from None


def _expand_call(kind: str, args_text: str, where: str) -> tuple[GridValue, ...]:
    args = [a for a in (p.strip() for p in args_text.split(",")) if a]
    numbers = [_number(a, where) for a in args]
    if kind == "range":
        if not 1 <= len(numbers) <= 3 or any(x != int(x) for x in numbers):
            raise ConfigError(f"{where}: range takes 1 to 3 integers: range(start, stop[, step])")
        values: tuple[GridValue, ...] = tuple(range(*(int(x) for x in numbers)))
    else:
        if len(numbers) != 3 or numbers[2] != int(numbers[2]) or numbers[2] < 1:
            raise ConfigError(
                f"{where}: linspace takes start, stop and a count >= 1: linspace(0.01, 0.05, 5)"
            )
        start, stop, n = numbers[0], numbers[1], int(numbers[2])
        step = (stop - start) / (n - 1) if n > 1 else 0.0
        # round away binary noise (0.1 + 2 * 0.05 = 0.20000000000000004) so values read as written
        values = tuple(round(start + i * step, 12) for i in range(n))
    if not values:
        raise ConfigError(f"{where}: {kind}({args_text}) gives no values")
    return values


def _axis_values(raw: object, where: str) -> tuple[GridValue, ...]:
    if isinstance(raw, str):
        call = _CALL.match(raw)
        if call:
            return _expand_call(call.group(1), call.group(2), where)
        return (raw,)
    if isinstance(raw, bool | int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ConfigError(f"{where}: {raw} is not a finite number")
        return (raw,)
    if isinstance(raw, Sequence) and raw:
        out: list[GridValue] = []
        for item in raw:
            out.extend(_axis_values(item, where))
        return tuple(dict.fromkeys(out))  # a repeated value would only repeat a trial
    raise ConfigError(
        f'{where}: expected a list, a number or "range(a,b,step)" / "linspace(a,b,n)"; got {raw!r}'
    )


def parse_axes(
    grid: Mapping[str, object], strategy_fields: Sequence[str], key: str = "task.grid"
) -> tuple[Axis, ...]:
    """Axes of ``grid`` in key order, checked against the strategy's fields (``name`` excluded).

    Raises ``ConfigError`` naming ``<key>.<field>`` and the nearest valid fields for an unknown key, or the
    bad value. Example: ``parse_axes({"fast": "range(5,15,5)"}, ["fast", "slow"])`` →
    ``(Axis("fast", (5, 10)),)``.
    """
    allowed = [f for f in strategy_fields if f != "name"]
    if not grid:
        raise ConfigError(f"{key} is empty; give at least one strategy field, e.g. {key}={{fast: [10, 20]}}")
    axes = []
    for name, raw in grid.items():
        if name not in allowed:
            near = difflib.get_close_matches(name, allowed, n=3)
            hint = f"did you mean {', '.join(near)}? " if near else ""
            raise ConfigError(
                f"{key}.{name} is not a field of the strategy; {hint}allowed: {', '.join(allowed)}"
            )
        axes.append(Axis(name, _axis_values(raw, f"{key}.{name}")))
    total = math.prod(len(a.values) for a in axes)
    if total > MAX_COMBOS:
        raise ConfigError(f"{key} expands to {total:,} combinations; the limit is {MAX_COMBOS:,}")
    return tuple(axes)


def build_strategy(base: Mapping[str, Any], params: Mapping[str, GridValue]) -> Any:
    """The strategy config ``base`` with ``params`` applied, validated (raises pydantic's error)."""
    return _STRATEGY.validate_python({**base, **params})


def grid_size(axes: Sequence[Axis]) -> int:
    """Number of cells of the cartesian product, valid or not."""
    return math.prod(len(a.values) for a in axes)


@dataclass
class SkipCount:
    """Cells the strategy model rejected (e.g. fast >= slow): how many, and the first reason."""

    count: int = 0
    first: str = ""


def combos(axes: Sequence[Axis], base: Mapping[str, Any], skipped: SkipCount) -> Iterator[Combo]:
    """Valid cells in expansion order (last axis fastest); invalid ones are counted in ``skipped``.

    ``base`` is the selected strategy as plain data; each cell overrides its axes and is validated by the
    strategy model, so a cell runs exactly what ``peak-run strategy.<field>=<value>`` would.
    """
    names = [a.name for a in axes]
    for index, values in enumerate(itertools.product(*(a.values for a in axes))):
        params = dict(zip(names, values, strict=True))
        try:
            strategy = _STRATEGY.validate_python({**base, **params})
        except ValidationError as exc:
            skipped.count += 1
            if not skipped.first:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in err["loc"] if p != base.get("name"))
                skipped.first = f"{params}: {where} {err['msg']}"
            continue
        yield Combo(index, params, strategy)
