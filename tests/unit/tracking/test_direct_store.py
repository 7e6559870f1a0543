"""Runs written straight into the sqlite store read back through MlflowClient exactly like runs that
MlflowClient wrote (the contract that lets sweeps skip MLflow's ORM)."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from peak.core.errors import TrackingError
from peak.tracking import direct_store
from peak.tracking.direct_store import child_rows, create_direct_run, usable
from peak.tracking.mlflow_run import create_run
from peak.tracking.store import open_client, sqlite_path

TAGS = {"peak.task": "backtest", "mlflow.parentRunId": "p" * 32, "peak.sweep_job": "3", "a:b": "colon"}
PARAMS = {"strategy.fast": "5", "strategy.slow": "300", "data.symbol": "BTC/USDT", "x" * 250: "long key"}
METRICS = {"sharpe": 1.25, "profit_factor": math.inf, "worst": -math.inf, "n_trades": 7, "nan": math.nan}


def _both(uri: str, folder: Path) -> tuple[object, object]:
    """The same run logged through MlflowClient and through the direct writer."""
    runs = []
    for make in (create_run, create_direct_run):
        handle = make(uri, "contract", "job 3: strategy.fast=5", TAGS)
        handle.log(params=PARAMS, metrics=METRICS, tags={"peak.extra": "1"})
        handle.log(metrics={"sharpe": 1.5})  # a later value of the same metric becomes the latest
        handle.log_artifacts(folder)
        handle.log_artifacts(folder, "again")
        handle.finish("FINISHED")
        runs.append(open_client(uri).get_run(handle.info.run_id))
    return runs[0], runs[1]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "run"
    (folder / "sub").mkdir(parents=True)
    (folder / "metrics.json").write_text("{}")
    (folder / "sub" / "trades.csv").write_text("a,b\n")
    return folder


def test_direct_run_when_read_through_mlflow_then_same_as_a_client_run(mlflow_uri: str, folder: Path) -> None:
    create_run(mlflow_uri, "contract", "creates the experiment", {}).finish("FINISHED")
    assert usable(mlflow_uri, "contract")
    client_run, direct_run = _both(mlflow_uri, folder)
    for field in ("status", "run_name", "user_id", "lifecycle_stage", "experiment_id"):
        assert getattr(direct_run.info, field) == getattr(client_run.info, field), field
    assert direct_run.info.end_time >= direct_run.info.start_time > 0
    assert direct_run.data.params == client_run.data.params
    assert direct_run.data.metrics == client_run.data.metrics
    assert direct_run.data.metrics["sharpe"] == 1.5 and "nan" not in direct_run.data.metrics
    assert direct_run.data.tags == client_run.data.tags
    prefix = client_run.info.artifact_uri.rsplit("/", 2)[0]
    assert direct_run.info.artifact_uri == f"{prefix}/{direct_run.info.run_id}/artifacts"
    client = open_client(mlflow_uri)
    listed = {
        run_id: sorted(f.path for f in client.list_artifacts(run_id)) for run_id in
        (client_run.info.run_id, direct_run.info.run_id)
    }
    expected = ["again", "metrics.json", "sub"]
    assert listed[direct_run.info.run_id] == listed[client_run.info.run_id] == expected
    history = client.get_metric_history(direct_run.info.run_id, "sharpe")
    assert sorted(m.value for m in history) == [1.25, 1.5]
    found = client.search_runs(
        [direct_run.info.experiment_id], "metrics.sharpe > 1.4 and params.`strategy.fast` = '5'"
    )
    assert {r.info.run_id for r in found} == {client_run.info.run_id, direct_run.info.run_id}


def test_direct_run_when_param_changes_then_refused_like_mlflow(mlflow_uri: str) -> None:
    create_run(mlflow_uri, "contract", "x", {}).finish("FINISHED")
    run = create_direct_run(mlflow_uri, "contract", "r", {})
    run.log(params={"strategy.fast": "5"})
    run.log(params={"strategy.fast": "5"})  # the same value again is fine
    with pytest.raises(TrackingError, match=r"strategy.fast: '5' -> '6'"):
        run.log(params={"strategy.fast": "6"})


@pytest.mark.parametrize("key", ["bad!key", "../up", "/abs", "a//b", "x" * 251])
def test_direct_run_when_key_invalid_then_error_names_it(mlflow_uri: str, key: str) -> None:
    create_run(mlflow_uri, "contract", "x", {}).finish("FINISHED")
    run = create_direct_run(mlflow_uri, "contract", "r", {})
    with pytest.raises(TrackingError, match="is not valid in MLflow"):
        run.log(metrics={key: 1.0})


def test_direct_run_when_finished_with_error_then_failed_with_error_artifact(mlflow_uri: str) -> None:
    create_run(mlflow_uri, "contract", "x", {}).finish("FINISHED")
    run = create_direct_run(mlflow_uri, "contract", "r", {})
    run.finish("FAILED", "Traceback ...\nDataError: file x.csv: column close, row 3: NaN")
    stored = open_client(mlflow_uri).get_run(run.info.run_id)
    assert stored.info.status == "FAILED"
    assert stored.data.tags["peak.error"] == "DataError: file x.csv: column close, row 3: NaN"
    assert (run.artifacts / "error.txt").read_text().startswith("Traceback")


def test_usable_when_store_missing_or_schema_unknown_then_false(mlflow_uri: str, tmp_path: Path) -> None:
    create_run(mlflow_uri, "contract", "x", {}).finish("FINISHED")
    assert not usable(f"sqlite:///{tmp_path / 'absent.db'}", "contract")
    assert not usable("http://127.0.0.1:5000", "contract")
    assert not usable(mlflow_uri, "no such experiment")
    db = sqlite_path(mlflow_uri)
    assert db is not None
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'future'")
    direct_store.close_connections()
    assert not usable(mlflow_uri, "contract")


def test_child_rows_when_runs_name_a_parent_then_listed_with_job_and_status(mlflow_uri: str) -> None:
    create_run(mlflow_uri, "contract", "x", {}).finish("FINISHED")
    parent = create_direct_run(mlflow_uri, "contract", "sweep", {})
    for job, status in [("0", "FINISHED"), ("1", "KILLED")]:
        tags = {"mlflow.parentRunId": parent.info.run_id, "peak.sweep_job": job}
        create_direct_run(mlflow_uri, "contract", f"job {job}", tags).finish(status)
    create_direct_run(mlflow_uri, "contract", "not a child", {}).finish("FINISHED")
    rows = child_rows(parent, "mlflow.parentRunId", "peak.sweep_job")
    assert sorted((r.job, r.status) for r in rows) == [("0", "FINISHED"), ("1", "KILLED")]
