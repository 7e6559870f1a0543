"""``peak-run task=monte_carlo``: a backtest and its resampled distribution, run folder and MLflow."""

from __future__ import annotations

import json
from pathlib import Path

from peak.tracking.store import open_client
from tests.support.cli import run_cli, store_uri


def test_peak_run_when_monte_carlo_then_spread_logged_and_written(home: Path) -> None:
    proc = run_cli("peak-run", ["task=monte_carlo", "task.paths=500", "task.seed=3"], home)
    assert proc.returncode == 0, proc.stderr
    [run_json] = (home / "experiments" / "runs").glob("*/*_monte_carlo/run.json")
    report = json.loads((run_json.parent / "monte_carlo.json").read_text())
    assert report["method"] == "block_bootstrap" and report["paths"] == 500
    for name in ("final_return", "max_drawdown", "sharpe"):
        pct = report[name]["percentiles"]
        assert pct["p95"] - pct["p5"] > 1e-3, name  # a real spread, never a constant
    run = open_client(store_uri(home)).get_run(json.loads(run_json.read_text())["mlflow_run_id"])
    assert run.data.tags["peak.task"] == "monte_carlo"
    assert run.data.metrics["mc.sharpe.p5"] < run.data.metrics["mc.sharpe.p95"]
    assert 0.0 <= run.data.metrics["mc.ruin_probability"] <= 1.0
    assert "monte carlo: final_return p5/p50/p95=" in proc.stdout


def test_peak_run_when_monte_carlo_option_misused_then_config_error(home: Path) -> None:
    proc = run_cli("peak-run", ["task=monte_carlo", "task.method=iid_bootstrap", "task.block_size=24"], home)
    assert proc.returncode == 2 and "task.block_size" in proc.stderr, proc.stderr
    proc = run_cli(
        "peak-run",
        ["task=monte_carlo", "task.method=trade_reshuffle", "experiment=multi_style_moderate"],
        home,
    )
    assert proc.returncode == 2 and "block_bootstrap" in proc.stderr, proc.stderr
    assert not list((home / "experiments").glob("runs/*/*"))


def test_peak_run_when_monte_carlo_then_progress_bar_only_when_asked(home: Path) -> None:
    args = ["task=monte_carlo", "task.paths=300", "tracking=off"]
    quiet = run_cli("peak-run", args, home)  # not a TTY: no bar in logs
    assert quiet.returncode == 0 and "path/s" not in quiet.stderr, quiet.stderr
    shown = run_cli("peak-run", args, home, PEAK_PROGRESS="1")
    assert shown.returncode == 0 and "monte carlo (block_bootstrap)" in shown.stderr, shown.stderr
