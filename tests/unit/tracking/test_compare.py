"""Exact metric comparison: bit-for-bit floats, NaN equal to NaN, MLflow's storage rules."""

from __future__ import annotations

import math
import sys

import pytest

from peak.tracking.compare import (
    as_stored,
    compare_metrics,
    identical,
    is_wall_clock,
    parse_metrics_json,
    stored_value,
)


def test_identical_when_nan_on_both_sides_then_equal() -> None:
    assert identical(math.nan, float("nan"))
    assert not identical(math.nan, 0.0)


def test_identical_when_values_differ_in_the_last_bit_then_not_equal() -> None:
    assert not identical(0.1 + 0.2, 0.3)
    assert not identical(1.0, math.nextafter(1.0, 2.0))
    assert identical(1.1935575340250573, 1.1935575340250573)


def test_identical_when_signed_zeros_then_not_equal() -> None:
    assert not identical(0.0, -0.0)


def test_identical_when_none_then_equal_only_to_none() -> None:
    assert identical(None, None)
    assert not identical(None, 0.0) and not identical(0.0, None)


def test_stored_value_when_non_finite_or_none_then_mlflow_rules() -> None:
    assert stored_value(math.inf) == sys.float_info.max
    assert stored_value(-math.inf) == -sys.float_info.max
    assert stored_value(math.nan) is None and stored_value(None) is None
    assert stored_value(147) == 147.0
    assert as_stored({"a": None, "b": math.nan, "c": 2.5}) == {"c": 2.5}


def test_parse_metrics_json_when_text_floats_then_numbers() -> None:
    parsed = parse_metrics_json('{"pf": "inf", "x": "-inf", "s": "nan", "n": 12, "u": null}')
    assert parsed["pf"] == math.inf and parsed["x"] == -math.inf and math.isnan(parsed["s"] or 0.0)
    assert parsed["n"] == 12.0 and parsed["u"] is None


def test_parse_metrics_json_when_value_is_text_then_error_names_key() -> None:
    with pytest.raises(ValueError, match="'sharpe'"):
        parse_metrics_json('{"sharpe": "high"}')


def test_compare_metrics_when_key_on_one_side_then_mismatch_marked_absent() -> None:
    checks = compare_metrics({"a": 1.0, "b": math.nan}, {"b": math.nan, "c": 2.0}, "mlflow")
    by_name = {c.name: c for c in checks}
    assert [c.name for c in checks] == ["a", "b", "c"]
    assert by_name["b"].matches
    assert not by_name["a"].matches and not by_name["a"].in_rerun
    assert not by_name["c"].matches and not by_name["c"].in_original


def test_compare_metrics_when_skip_given_then_those_names_are_left_out() -> None:
    checks = compare_metrics({"grid.cells_per_second": 10.0}, {"grid.cells_per_second": 11.0}, "mlflow",
                             skip=["grid.cells_per_second"])  # fmt: skip
    assert checks == []


def test_is_wall_clock_when_timing_names_then_true() -> None:
    assert is_wall_clock("grid.cells_per_second")
    assert not is_wall_clock("sharpe") and not is_wall_clock("grid.top1.sharpe")
