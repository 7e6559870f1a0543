"""The Go/No-Go gate: bounds, undefined metrics, and metric names checked before any work."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from peak.core.errors import ConfigError
from peak.registry.gate import Criterion, GateConfig, evaluate_gate

GATE = GateConfig(
    criteria={
        "sharpe": Criterion(metric="sharpe", min=1.5),
        "drawdown": Criterion(metric="max_drawdown", max=0.15),
        "pf": Criterion(metric="profit_factor", min=1.3),
    }
)


def test_evaluate_gate_when_every_bound_holds_then_go_and_each_explained() -> None:
    report = evaluate_gate(GATE, {"sharpe": 1.5, "max_drawdown": 0.15, "profit_factor": 2.0})
    assert report.verdict == "GO" and report.failed == ()
    assert [r.explain() for r in report.results] == [
        "PASS sharpe >= 1.5: 1.5",
        "PASS max_drawdown <= 0.15: 0.15",
        "PASS profit_factor >= 1.3: 2",
    ]


def test_evaluate_gate_when_one_bound_fails_or_metric_undefined_then_no_go_naming_them() -> None:
    report = evaluate_gate(GATE, {"sharpe": 2.0, "max_drawdown": 0.151, "profit_factor": None})
    assert report.verdict == "NO-GO"
    assert [r.name for r in report.failed] == ["drawdown", "pf"]
    assert report.failed[1].explain() == "FAIL profit_factor >= 1.3: undefined (no value)"


def test_evaluate_gate_when_no_criteria_then_never_go() -> None:
    assert evaluate_gate(GateConfig(criteria={}), {"sharpe": 9.0}).verdict == "NO-GO"


def test_criterion_when_both_or_no_bounds_then_rejected() -> None:
    with pytest.raises(ValidationError, match="exactly one of min or max"):
        Criterion(metric="sharpe", min=1.0, max=2.0)
    with pytest.raises(ValidationError, match="exactly one of min or max"):
        Criterion(metric="sharpe")


def test_gate_check_metrics_when_metric_unknown_then_error_names_key_and_nearest() -> None:
    gate = GateConfig(criteria={"s": Criterion(metric="sharp", min=1.0)})
    with pytest.raises(ConfigError, match=r"gate\.criteria\.s\.metric='sharp'.*did you mean sharpe"):
        gate.check_metrics(["sharpe", "sortino"])
