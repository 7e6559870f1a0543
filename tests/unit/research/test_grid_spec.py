"""Grid definitions: value syntax, keys checked against the strategy, invalid cells skipped with a reason."""

from __future__ import annotations

import pytest

from peak.core.errors import ConfigError
from peak.research.grid_spec import MAX_COMBOS, Axis, SkipCount, combos, grid_size, parse_axes
from peak.strategies.config import MACrossoverConfig

FIELDS = list(MACrossoverConfig.model_fields)


def test_parse_axes_when_range_linspace_list_and_scalar_then_expanded_in_order() -> None:
    axes = parse_axes({"fast": "range(5,20,5)", "slow": [50, "range(60,80,10)", 50]}, FIELDS)
    assert axes == (Axis("fast", (5, 10, 15)), Axis("slow", (50, 60, 70)))
    [k] = parse_axes({"k": "linspace(1.0, 2.0, 3)"}, ["k"])
    assert k.values == (1.0, 1.5, 2.0)
    [single] = parse_axes({"fast": 7}, FIELDS)
    assert single.values == (7,)


def test_parse_axes_when_key_misspelt_then_error_names_key_and_nearest_fields() -> None:
    with pytest.raises(ConfigError, match=r"task\.grid\.fsat .*did you mean fast.*allowed: fast, slow"):
        parse_axes({"fsat": [5]}, FIELDS)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("range(1.5, 3)", "range takes 1 to 3 integers"),
        ("range(5, 5)", "gives no values"),
        ("linspace(0, 1)", "linspace takes start, stop and a count"),
        ("range(a, 3)", "'a' is not a number"),
        ({"x": 1}, "expected a list"),
        ([], "expected a list"),
    ],
)
def test_parse_axes_when_value_malformed_then_error_names_key(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        parse_axes({"fast": value}, FIELDS)
    assert "task.grid.fast" in str(info.value)


def test_parse_axes_when_grid_too_large_then_refused() -> None:
    with pytest.raises(ConfigError, match=f"{MAX_COMBOS:,}"):
        parse_axes({"fast": "range(1, 2000)", "slow": "range(2, 2000)"}, FIELDS)


def test_combos_when_cells_invalid_then_skipped_counted_and_first_reason_kept() -> None:
    axes = parse_axes({"fast": [10, 50], "slow": [20, 100]}, FIELDS)
    skipped = SkipCount()
    cells = list(combos(axes, {"name": "ma_crossover"}, skipped))
    assert grid_size(axes) == 4
    assert [c.params for c in cells] == [
        {"fast": 10, "slow": 20},
        {"fast": 10, "slow": 100},
        {"fast": 50, "slow": 100},
    ]
    assert [c.index for c in cells] == [0, 1, 3]
    assert skipped.count == 1 and "slow" in skipped.first and "above fast" in skipped.first
    assert cells[2].strategy == MACrossoverConfig(fast=50, slow=100)
