"""A tracked run logs in batches and always ends with an honest status."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from peak.tracking.store import open_client
from peak.tracking.tracked import start_run
from peak.tracking.worker import TrackingWorker


@pytest.fixture()
def uri(mlflow_uri: str) -> str:
    return mlflow_uri


def test_start_run_when_logging_many_params_then_all_stored_and_finished(uri: str) -> None:
    params = {f"p{i:03d}": str(i) for i in range(250)}
    metrics = {"sharpe": 1.25, "profit_factor": math.inf, "win_rate": None, "n_trades": 7}
    with start_run(uri, "unit", "r1", {"peak.version": "x"}) as run:
        run.log(params=params, metrics=metrics, tags={"t": "v"})
    stored = open_client(uri).get_run(run.info.run_id)
    assert stored.info.status == "FINISHED"
    assert len(stored.data.params) == 250
    assert stored.data.metrics["sharpe"] == 1.25 and stored.data.metrics["n_trades"] == 7
    assert stored.data.metrics["profit_factor"] > 1e300  # MLflow stores +inf as the largest float
    assert "win_rate" not in stored.data.metrics
    assert stored.data.tags["peak.version"] == "x" and stored.data.tags["t"] == "v"


def test_start_run_when_body_raises_then_failed_with_error_artifact(uri: str, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), start_run(uri, "unit", None, {}) as run:
        raise RuntimeError("boom in the middle")
    client = open_client(uri)
    stored = client.get_run(run.info.run_id)
    assert stored.info.status == "FAILED"
    assert "boom in the middle" in stored.data.tags["peak.error"]
    local = client.download_artifacts(run.info.run_id, "error.txt", str(tmp_path))
    assert "RuntimeError: boom in the middle" in Path(local).read_text()


def _kill_inside_run(uri: str, ready: Path, sig: signal.Signals, *, worker: bool) -> str:
    """Start a process that opens a run and sleeps inside it, send ``sig``, return the run id."""
    code = (
        "import sys, time, pathlib\n"
        "from peak.tracking.tracked import start_run\n"
        "from peak.tracking.worker import TrackingWorker\n"
        f"worker = TrackingWorker.fork() if {worker} else None\n"
        "with start_run(sys.argv[1], 'unit', None, {}, worker) as run:\n"
        "    pathlib.Path(sys.argv[2]).write_text(run.info.run_id)\n"
        "    time.sleep(120)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, uri, str(ready)], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 90
    while not ready.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert ready.exists(), proc.stderr.read() if proc.stderr else ""
    os.kill(proc.pid, sig)
    proc.wait(timeout=30)
    assert proc.returncode != 0
    return ready.read_text()


def _final_status(uri: str, run_id: str) -> str:
    # The worker closes the run just after the parent dies; give it a moment.
    client = open_client(uri)
    deadline = time.time() + 60
    while client.get_run(run_id).info.status == "RUNNING" and time.time() < deadline:
        time.sleep(0.2)
    return str(client.get_run(run_id).info.status)


def test_start_run_when_sigterm_then_killed(uri: str, tmp_path: Path) -> None:
    run_id = _kill_inside_run(uri, tmp_path / "ready", signal.SIGTERM, worker=False)
    assert open_client(uri).get_run(run_id).info.status == "KILLED"


def test_start_run_when_experiment_exists_then_reused(uri: str) -> None:
    with start_run(uri, "same", None, {}) as first:
        pass
    with start_run(uri, "same", None, {}) as second:
        pass
    assert first.info.experiment_id == second.info.experiment_id


@pytest.fixture()
def worker() -> TrackingWorker:
    helper = TrackingWorker.fork()
    yield helper
    helper.close()


def test_worker_when_run_logged_through_it_then_finished_with_data(uri: str, worker: TrackingWorker) -> None:
    with start_run(uri, "unit", "remote", {"peak.version": "w"}, worker) as run:
        run.log(params={"a": "1"}, metrics={"sharpe": 0.5, "pf": math.inf, "none": None})
    stored = open_client(uri).get_run(run.info.run_id)
    assert stored.info.status == "FINISHED"
    assert stored.data.params == {"a": "1"} and stored.data.metrics["sharpe"] == 0.5
    assert "none" not in stored.data.metrics and stored.data.tags["peak.version"] == "w"


def test_worker_when_body_raises_then_failed_with_error_tag(uri: str, worker: TrackingWorker) -> None:
    with pytest.raises(ValueError), start_run(uri, "unit", None, {}, worker) as run:
        raise ValueError("bad bar")
    stored = open_client(uri).get_run(run.info.run_id)
    assert stored.info.status == "FAILED" and "bad bar" in stored.data.tags["peak.error"]


def test_worker_when_store_unreachable_then_tracking_error(tmp_path: Path, worker: TrackingWorker) -> None:
    from peak.core.errors import TrackingError

    (tmp_path / "file").write_text("x")
    with pytest.raises(TrackingError, match="cannot open the MLflow store"):
        start_run(f"sqlite:///{tmp_path / 'file' / 'mlflow.db'}", "unit", None, {}, worker)


def test_worker_when_parent_killed_then_run_marked_killed(uri: str, tmp_path: Path) -> None:
    run_id = _kill_inside_run(uri, tmp_path / "ready", signal.SIGKILL, worker=True)
    assert _final_status(uri, run_id) == "KILLED"


def test_worker_when_parent_gets_sigterm_then_run_marked_killed(uri: str, tmp_path: Path) -> None:
    run_id = _kill_inside_run(uri, tmp_path / "ready", signal.SIGTERM, worker=True)
    assert _final_status(uri, run_id) == "KILLED"
