"""A sweep killed with SIGKILL: the store survives, ``peak mlflow recover`` closes what the dead processes
left RUNNING, and ``peak mlflow resume`` finishes the sweep with exactly one FINISHED run per job."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from peak.tracking.store import open_client
from peak.tracking.sweep import JOB_TAG, PARENT_TAG
from tests.support.cli import BIN, PROJECT_ROOT, isolated_env, run_cli, store_uri

JOBS = 6


def _runs(home: Path) -> list:
    client = open_client(store_uri(home))
    experiment = client.get_experiment_by_name("peak")
    return [] if experiment is None else list(client.search_runs([experiment.experiment_id]))


def _finished_children(home: Path) -> list:
    return [r for r in _runs(home) if r.data.tags.get(PARENT_TAG) and r.info.status == "FINISHED"]


def test_sweep_when_killed_then_recover_and_resume_reach_exactly_n_finished_runs(home: Path) -> None:
    fast = ",".join(str(5 * (i + 1)) for i in range(JOBS))
    # Jobs of ~0.5 s on 600k synthetic bars: sample-data jobs finish faster than the test can kill them.
    args = [
        "-m", f"strategy.fast={fast}", "strategy.slow=60", "data=synthetic", "data.n_bars=600000",
        "hydra.launcher.n_jobs=1",
    ]  # fmt: skip
    sweep = subprocess.Popen(
        [str(BIN / "peak-run"), *args],
        cwd=PROJECT_ROOT,
        env=isolated_env(home),
        start_new_session=True,  # its own process group: the kill reaches the workers too
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 240
    while len(_finished_children(home)) < 2 and sweep.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert sweep.poll() is None, "the sweep ended before it could be killed"
    os.killpg(sweep.pid, signal.SIGKILL)
    sweep.wait()

    with sqlite3.connect(home / "mlruns" / "mlflow.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    [parent] = [r for r in _runs(home) if r.data.tags.get("peak.sweep_role") == "parent"]
    assert parent.info.status == "RUNNING"  # SIGKILL gives no chance to close it
    done_before = len(_finished_children(home))
    assert 2 <= done_before < JOBS

    recovered = run_cli("peak", ["mlflow", "recover"], home)
    assert recovered.returncode == 0, recovered.stderr
    assert open_client(store_uri(home)).get_run(parent.info.run_id).info.status == "KILLED"

    resumed = run_cli("peak", ["mlflow", "resume", parent.info.run_id], home, timeout=600)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert resumed.stdout.count("already finished") == done_before
    finished = _finished_children(home)
    assert sorted(int(r.data.tags[JOB_TAG]) for r in finished) == list(range(JOBS))  # one each, no duplicate
    closed = open_client(store_uri(home)).get_run(parent.info.run_id)
    assert closed.info.status == "FINISHED" and closed.data.metrics["sweep.finished"] == JOBS
