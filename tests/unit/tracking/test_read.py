"""Runs read back for reports: the sqlite fast path returns exactly what MlflowClient returns."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from peak.core.errors import TrackingError
from peak.tracking import read
from peak.tracking.mlflow_run import create_run
from peak.tracking.read import PARENT_TAG, artifact_file, read_children, read_run

METRICS = {"sharpe": 1.25, "profit_factor": math.inf, "max_drawdown": 0.2, "n_trades": 7}


def _logged(uri: str, folder: Path, parent: str | None = None, job: int = 0) -> str:
    tags = {"peak.task": "backtest"} | ({PARENT_TAG: parent, "peak.sweep_job": str(job)} if parent else {})
    handle = create_run(uri, "reading", f"job {job}", tags)
    handle.log(params={"strategy.fast": str(5 + job)}, metrics=METRICS, tags={"peak.extra": "1"})
    handle.log_artifacts(folder)
    handle.finish("FINISHED")
    return handle.info.run_id


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "run"
    (folder / ".hydra").mkdir(parents=True)
    (folder / "metrics.json").write_text("{}")
    (folder / ".hydra" / "config.yaml").write_text("strategy: {fast: 5}\n")
    return folder


def test_read_run_when_sqlite_store_then_same_record_as_through_mlflow_client(
    mlflow_uri: str, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = _logged(mlflow_uri, folder)
    fast = read_run(mlflow_uri, run_id)
    monkeypatch.setattr(read, "_direct", lambda uri: None)  # force the MlflowClient path
    slow = read_run(mlflow_uri, run_id)
    assert fast == slow
    assert fast.metrics["profit_factor"] == math.inf and fast.metrics["n_trades"] == 7.0
    assert fast.params == {"strategy.fast": "5"} and fast.tags["peak.extra"] == "1"
    assert (fast.experiment, fast.name, fast.status) == ("reading", "job 0", "FINISHED")


def test_read_children_when_sweep_then_every_child_in_start_order_on_both_paths(
    mlflow_uri: str, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = read_run(mlflow_uri, _logged(mlflow_uri, folder))
    ids = [_logged(mlflow_uri, folder, parent.run_id, job) for job in range(3)]
    fast = read_children(mlflow_uri, parent)
    monkeypatch.setattr(read, "_direct", lambda uri: None)
    assert [c.run_id for c in fast] == ids
    assert read_children(mlflow_uri, parent) == fast


def test_artifact_file_when_present_or_missing_then_local_path_or_none(mlflow_uri: str, folder: Path) -> None:
    record = read_run(mlflow_uri, _logged(mlflow_uri, folder))
    path = artifact_file(mlflow_uri, record, ".hydra/config.yaml")
    assert path is not None and path.read_text() == "strategy: {fast: 5}\n"
    assert artifact_file(mlflow_uri, record, "trades.csv") is None


def test_read_run_when_unknown_id_then_tracking_error_naming_run_and_store(mlflow_uri: str) -> None:
    with pytest.raises(TrackingError, match=f"no run {'0' * 32} in the store at {mlflow_uri}"):
        read_run(mlflow_uri, "0" * 32)


def test_artifact_file_when_store_not_local_then_downloaded_or_none(
    mlflow_uri: str, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = read_run(mlflow_uri, _logged(mlflow_uri, folder))
    monkeypatch.setattr(read, "local_folder", lambda uri: None)  # as for an mlflow server's artifacts
    path = artifact_file(mlflow_uri, record, ".hydra/config.yaml")
    assert path is not None and path.read_text() == "strategy: {fast: 5}\n"
    assert Path(record.artifact_uri.removeprefix("file://")) not in path.parents
    assert artifact_file(mlflow_uri, record, ".hydra/missing.yaml") is None
