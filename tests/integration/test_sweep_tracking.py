"""``peak-run -m``: a parent MLflow run per sweep, a child per job, failures recorded, SIGTERM handled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from peak.tracking.store import open_client
from peak.tracking.sweep import PARENT_TAG
from tests.support.cli import BIN, PROJECT_ROOT, isolated_env, run_cli, store_uri


def _runs(home: Path) -> list:
    client = open_client(store_uri(home))
    experiment = client.get_experiment_by_name("peak")
    return [] if experiment is None else client.search_runs([experiment.experiment_id])


def _split(runs: list) -> tuple[object, list]:
    [parent] = [r for r in runs if r.data.tags.get("peak.sweep_role") == "parent"]
    children = [r for r in runs if r.data.tags.get(PARENT_TAG) == parent.info.run_id]
    return parent, children


@pytest.mark.parametrize("launcher", ["joblib", "basic"])
def test_sweep_when_jobs_succeed_then_parent_finished_with_one_child_per_job(
    home: Path, launcher: str
) -> None:
    args = ["-m", "strategy.fast=5,10", "strategy.slow=60", f"hydra/launcher={launcher}"]
    proc = run_cli("peak-run", args, home, timeout=600)
    assert proc.returncode == 0, proc.stderr
    parent, children = _split(_runs(home))
    assert parent.info.status == "FINISHED" and len(children) == 2
    assert parent.data.params["sweep.strategy.fast"] == "5,10"
    assert parent.data.metrics["sweep.finished"] == 2 and parent.data.metrics["sweep.failed"] == 0
    assert (
        0.0 <= parent.data.metrics["sweep.pbo"] <= 1.0
        and 0.0 <= parent.data.metrics["sweep.deflated_sharpe"] <= 1.0
    )
    assert parent.data.tags["peak.sweep_best_job"] in {"0", "1"}
    assert {c.data.tags["peak.override.strategy.fast"] for c in children} == {"5", "10"}
    assert {c.data.params["strategy.fast"] for c in children} == {"5", "10"}
    assert all(c.info.status == "FINISHED" for c in children)
    assert f"parent run {parent.info.run_id} FINISHED" in proc.stdout


def test_sweep_when_one_job_fails_then_failed_child_with_error_and_exit_1(home: Path) -> None:
    args = ["-m", "data.start=2023-06-01,2031-01-01"]  # the sample ends in 2024: the second job has no bars
    proc = run_cli("peak-run", args, home, timeout=600)
    assert proc.returncode == 1, proc.stderr
    parent, children = _split(_runs(home))
    assert parent.info.status == "FAILED"
    statuses = {c.data.tags["peak.override.data.start"]: c.info.status for c in children}
    assert statuses == {"2023-06-01": "FINISHED", "2031-01-01": "FAILED"}
    [failed] = [c for c in children if c.info.status == "FAILED"]
    assert "no bars in the requested range" in failed.data.tags["peak.error"]
    client = open_client(store_uri(home))
    assert "error.txt" in {a.path for a in client.list_artifacts(failed.info.run_id)}
    assert "1 failed" in proc.stdout


def test_sweep_when_terminated_then_parent_marked_killed(home: Path) -> None:
    args = ["-m", "data=synthetic", "data.n_bars=3000000", "data.seed=1,2,3,4", "hydra.launcher.n_jobs=1"]
    env = isolated_env(home)
    proc = subprocess.Popen(
        [str(BIN / "peak-run"), *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not any(
            r.data.tags.get("peak.sweep_role") == "parent" for r in _runs(home)
        ):
            time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    parent = next(r for r in _runs(home) if r.data.tags.get("peak.sweep_role") == "parent")
    assert parent.info.status == "KILLED", proc.stderr.read().decode()[-2000:]  # type: ignore[union-attr]
    assert proc.returncode == 128 + signal.SIGTERM


def test_mlflow_recover_when_process_gone_then_run_killed_and_live_run_kept(
    mlflow_uri: str, tmp_path: Path
) -> None:
    from peak.tracking.mlflow_run import create_run
    from peak.tracking.sweep import process_tags

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    gone = create_run(mlflow_uri, "peak", "orphan", {**process_tags(), "peak.pid": dead.stdout.strip()})
    alive = create_run(mlflow_uri, "peak", "working", process_tags())
    env = {"MLFLOW_TRACKING_URI": mlflow_uri}
    listed = run_cli("peak", ["mlflow", "recover", "--dry-run"], tmp_path, **env)
    assert listed.returncode == 0, listed.stderr
    assert gone.info.run_id in listed.stdout and alive.info.run_id not in listed.stdout
    assert open_client(mlflow_uri).get_run(gone.info.run_id).info.status == "RUNNING"
    done = run_cli("peak", ["mlflow", "recover"], tmp_path, **env)
    assert done.returncode == 0, done.stderr
    client = open_client(mlflow_uri)
    assert client.get_run(gone.info.run_id).info.status == "KILLED"
    assert "is gone" in client.get_run(gone.info.run_id).data.tags["peak.recovered"]
    assert client.get_run(alive.info.run_id).info.status == "RUNNING"
    old = run_cli("peak", ["mlflow", "recover", "--older-than", "0s", "--json"], tmp_path, **env)
    assert alive.info.run_id in old.stdout and client.get_run(alive.info.run_id).info.status == "KILLED"
    assert os.getpid() > 0


def test_sweep_when_key_misspelt_then_fails_before_any_job_or_run(home: Path) -> None:
    proc = run_cli("peak-run", ["-m", "strategy.fsat=5,10", "strategy.slow=50,100"], home)
    assert proc.returncode == 2, proc.stderr
    assert "strategy.fsat" in proc.stderr and "strategy.fast" in proc.stderr
    assert _runs(home) == [] and not (home / "experiments" / "multirun").exists()
