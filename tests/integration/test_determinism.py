"""Same config and seed, same numbers: a sweep gives byte-identical child metrics whether its jobs run
one after another (basic launcher) or in parallel (joblib)."""

from __future__ import annotations

import shutil
from pathlib import Path

from peak.tracking.store import open_client
from tests.support.cli import run_cli, store_uri


def _child_metrics(home: Path) -> dict[str, dict[str, float]]:
    client = open_client(store_uri(home))
    experiment = client.get_experiment_by_name("peak")
    runs = client.search_runs([experiment.experiment_id])
    children = [r for r in runs if r.data.tags.get("peak.sweep_role") != "parent"]
    return {r.data.tags["peak.override.strategy.fast"]: dict(r.data.metrics) for r in children}


def test_sweep_when_serial_or_parallel_then_identical_metrics(
    tmp_path: Path, mlflow_template_db: Path
) -> None:
    results = []
    for launcher in ("basic", "joblib"):
        home = tmp_path / launcher
        (home / "mlruns").mkdir(parents=True)
        shutil.copyfile(mlflow_template_db, home / "mlruns" / "mlflow.db")
        args = ["-m", "strategy.fast=5,10,20", "task=monte_carlo", "task.paths=200", "task.seed=7"]
        proc = run_cli("peak-run", [*args, f"hydra/launcher={launcher}"], home, timeout=600)
        assert proc.returncode == 0, proc.stderr
        results.append(_child_metrics(home))
    serial, parallel = results
    assert set(serial) == {"5", "10", "20"}
    assert serial == parallel  # exact float equality, Monte-Carlo percentiles included
