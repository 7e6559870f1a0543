"""``peak-run task=stress`` and ``task=robustness``: real data only, impacts per sleeve, the gate's verdict
as a tag and explained criterion by criterion."""

from __future__ import annotations

import json
from pathlib import Path

from peak.tracking.store import open_client
from tests.support.cli import run_cli, store_uri


def _run(home: Path, task: str) -> tuple[Path, object]:
    [run_json] = (home / "experiments" / "runs").glob(f"*/*_{task}/run.json")
    run_id = json.loads(run_json.read_text())["mlflow_run_id"]
    return run_json.parent, open_client(store_uri(home)).get_run(run_id)


def test_peak_run_when_stress_on_portfolio_then_impact_per_sleeve_and_portfolio(home: Path) -> None:
    args = ["task=stress", "experiment=multi_style_moderate", "task.scenarios=[crash_bar,gap,flash_rally]"]
    proc = run_cli("peak-run", args, home)
    assert proc.returncode == 0, proc.stderr
    folder, run = _run(home, "stress")
    report = json.loads((folder / "stress.json").read_text())
    assert [s["name"] for s in report["scenarios"]] == ["crash_bar", "gap", "flash_rally"]
    sleeves = set(report["baseline"]["sleeves"])
    assert len(sleeves) == 4
    for scenario in report["scenarios"]:
        name = scenario["name"]
        assert set(scenario["sleeves"]) == sleeves, name
        assert scenario["portfolio"]["total_return"] != report["baseline"]["portfolio"]["total_return"], name
    m = run.data.metrics
    assert "stress.crash_bar.delta_total_return" in m and "stress.worst.max_drawdown" in m
    assert any(k.startswith("stress.gap.sleeve.") for k in m)
    assert "stress: baseline" in proc.stdout


def test_peak_run_when_stress_scenario_unknown_then_config_error(home: Path) -> None:
    proc = run_cli("peak-run", ["task=stress", "task.scenarios=[crash_bra]"], home)
    assert proc.returncode == 2 and "crash_bra" in proc.stderr and "crash_bar" in proc.stderr, proc.stderr


def test_peak_run_when_robustness_then_verdict_tag_and_every_criterion_explained(home: Path) -> None:
    args = ["task=robustness", "experiment=multi_style_moderate", "task.monte_carlo.paths=300"]
    proc = run_cli("peak-run", args, home)
    assert proc.returncode == 0, proc.stderr
    folder, run = _run(home, "robustness")
    gate = json.loads((folder / "gate.json").read_text())
    assert gate["verdict"] in {"GO", "NO-GO"} and run.data.tags["peak.verdict"] == gate["verdict"]
    names = {c["name"] for c in gate["criteria"]}
    assert {"sharpe", "max_drawdown", "profit_factor", "trades", "oos_sharpe", "mc_sharpe_p5"} <= names
    for c in gate["criteria"]:
        assert c["explanation"].startswith("PASS" if c["passed"] else "FAIL")
        assert run.data.metrics[f"gate.{c['name']}.pass"] == (1.0 if c["passed"] else 0.0)
    assert (gate["verdict"] == "GO") == all(c["passed"] for c in gate["criteria"])
    for artifact in ("walk_forward.json", "monte_carlo.json", "stress.json", "gate.json"):
        assert (folder / artifact).is_file(), artifact
    assert f"gate go_no_go: {gate['verdict']}" in proc.stdout


def test_peak_run_when_robustness_gate_loosened_then_go(home: Path) -> None:
    loose = [
        f"gate.criteria.{name}.{bound}={value}"
        for name, bound, value in [
            ("sharpe", "min", -10),
            ("max_drawdown", "max", 1),
            ("profit_factor", "min", 0),
            ("trades", "min", 1),
            ("oos_sharpe", "min", -10),
            ("wf_efficiency", "min", -100),
            ("mc_sharpe_p5", "min", -10),
            ("mc_drawdown_p95", "max", 1),
            ("mc_ruin", "max", 1),
            ("stress_drawdown", "max", 1),
        ]
    ]
    proc = run_cli(
        "peak-run", ["task=robustness", "task.monte_carlo.paths=200", "tracking=off", *loose], home
    )
    assert proc.returncode == 0, proc.stderr
    assert "gate go_no_go: GO (10 of 10 passed)" in proc.stdout


def test_peak_run_when_robustness_on_synthetic_data_or_unknown_gate_metric_then_refused(home: Path) -> None:
    proc = run_cli("peak-run", ["task=robustness", "data=synthetic"], home)
    assert proc.returncode == 2 and "never runs on data=synthetic" in proc.stderr, proc.stderr
    proc = run_cli("peak-run", ["task=robustness", "gate.criteria.sharpe.metric=sharp"], home)
    assert proc.returncode == 2 and "did you mean sharpe" in proc.stderr, proc.stderr
    assert not list((home / "experiments").glob("runs/*/*"))
