"""Values as reports show them: one format per metric, undefined values spelled out."""

from __future__ import annotations

import math

import pytest

from peak.reporting.formatting import fmt, fmt_duration, fmt_metric, metric_format


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("sharpe", "num"),
        ("max_drawdown", "pct"),
        ("mc.max_drawdown.p95", "pct"),
        ("stress.gap.delta_total_return", "pct"),
        ("sleeve.btc_trend.n_trades", "int"),
        ("final_equity", "money"),
        ("sweep.pbo", "prob"),
        ("something.unknown", "num"),
    ],
)
def test_metric_format_when_dotted_name_then_kind_of_its_last_known_part(name: str, kind: str) -> None:
    assert metric_format(name) == kind


def test_fmt_when_undefined_or_infinite_then_spelled_out() -> None:
    assert fmt(None) == "n/a" and fmt(math.nan, "pct") == "n/a"
    assert fmt(math.inf) == "∞" and fmt(-math.inf, "pct") == "-∞"


def test_fmt_metric_when_values_then_percent_ratio_count_money() -> None:
    assert fmt_metric("total_return", 0.58875) == "58.88%"
    assert fmt_metric("sharpe", 1.19356) == "1.1936"
    assert fmt_metric("n_trades", 1234) == "1,234"
    assert fmt_metric("final_equity", 15887.519) == "15,887.52"
    assert fmt(0.00004) == "4e-05"


def test_fmt_duration_when_hours_then_days_hours_minutes() -> None:
    assert fmt_duration(30.0) == "1d 6h"
    assert fmt_duration(0.5) == "30m"
    assert fmt_duration(2.0) == "2h"
    assert fmt_duration(None) == "n/a"
