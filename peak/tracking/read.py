"""Reading runs back: params, metrics, tags and artifact files of a run and of a sweep's children.

Reports need only a run id, so everything they show comes through here. A local sqlite store whose
schema this package writes directly (``direct_store.KNOWN_REVISIONS``) is read with plain ``sqlite3``:
no mlflow import (~2.5 s) and one query per table for a sweep's 500 children. Any other store is read
through ``MlflowClient``, with artifacts downloaded into a temporary folder.
"""

from __future__ import annotations

import math
import os
import posixpath
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peak.core.errors import TrackingError
from peak.tracking.direct_store import KNOWN_REVISIONS, local_folder
from peak.tracking.store import open_client, sqlite_path

PARENT_TAG = "mlflow.parentRunId"
_MAX_FLOAT = 1.7976931348623157e308


@dataclass(frozen=True)
class RunRecord:
    """One run as stored, e.g. ``RunRecord(run_id="3f2a...", experiment="peak", name="backtest ...",
    status="FINISHED", params={"strategy.fast": "20"}, metrics={"sharpe": 1.19}, tags={...})``.

    Metrics MLflow stored as the largest float (its spelling of infinity) come back as ``inf``.
    """

    run_id: str
    experiment: str
    name: str
    status: str
    start_ms: int | None
    end_ms: int | None
    artifact_uri: str
    params: Mapping[str, str] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)


def _metric(value: float, is_nan: bool) -> float:
    if is_nan:
        return math.nan
    if abs(value) >= _MAX_FLOAT:
        return math.copysign(math.inf, value)
    return float(value)


def _direct(uri: str) -> sqlite3.Connection | None:
    """A connection when ``uri`` is a local sqlite store of a known schema revision, else None."""
    db = sqlite_path(uri)
    if db is None or not db.is_file():
        return None
    conn = sqlite3.connect(db, timeout=30)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None or str(row[0]) not in KNOWN_REVISIONS:
        conn.close()
        return None
    return conn


_RUNS_SQL = (
    "SELECT r.run_uuid, e.name, r.name, r.status, r.start_time, r.end_time, r.artifact_uri "
    "FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id "
    "WHERE r.lifecycle_stage = 'active' AND r.run_uuid IN ({ids})"
)


def _records_sql(conn: sqlite3.Connection, ids_sql: str, args: tuple[Any, ...]) -> list[RunRecord]:
    """Runs whose id is selected by ``ids_sql`` (a sub-query), with params, metrics and tags: four
    queries whatever the number of runs."""
    found: dict[str, dict[str, Any]] = {}
    for run_id, exp, name, status, start, end, art in conn.execute(_RUNS_SQL.format(ids=ids_sql), args):
        found[run_id] = {
            "base": (run_id, exp, name or "", status, start, end, art),
            "params": {},
            "metrics": {},
            "tags": {},
        }
    for table, columns in (("params", "key, value"), ("tags", "key, value")):
        sql = f"SELECT run_uuid, {columns} FROM {table} WHERE run_uuid IN ({ids_sql})"
        for run_id, key, value in conn.execute(sql, args):
            if run_id in found:
                found[run_id][table][key] = value
    sql = f"SELECT run_uuid, key, value, is_nan FROM latest_metrics WHERE run_uuid IN ({ids_sql})"
    for run_id, key, value, is_nan in conn.execute(sql, args):
        if run_id in found:
            found[run_id]["metrics"][key] = _metric(value, bool(is_nan))
    return [
        RunRecord(*parts["base"], params=parts["params"], metrics=parts["metrics"], tags=parts["tags"])
        for parts in found.values()
    ]


def _record_client(client: Any, run: Any, experiment: str) -> RunRecord:
    info, data = run.info, run.data
    return RunRecord(
        run_id=info.run_id,
        experiment=experiment,
        name=info.run_name or "",
        status=info.status,
        start_ms=info.start_time,
        end_ms=info.end_time,
        artifact_uri=info.artifact_uri,
        params=dict(data.params),
        metrics={k: _metric(float(v), math.isnan(float(v))) for k, v in data.metrics.items()},
        tags=dict(data.tags),
    )


def read_run(uri: str, run_id: str) -> RunRecord:
    """The run ``run_id`` of the store at ``uri``. Raises ``TrackingError`` naming the run and store when
    it does not exist (or was deleted)."""
    conn = _direct(uri)
    if conn is not None:
        try:
            records = _records_sql(conn, "?", (run_id,))
        finally:
            conn.close()
        if not records:
            raise TrackingError(f"no run {run_id} in the store at {uri}")
        return records[0]
    client = open_client(uri)
    try:
        run = client.get_run(run_id)
        experiment = client.get_experiment(run.info.experiment_id).name
    except Exception as exc:
        raise TrackingError(f"no run {run_id} in the store at {uri}: {exc}") from exc
    if run.info.lifecycle_stage != "active":
        raise TrackingError(f"run {run_id} in the store at {uri} was deleted")
    return _record_client(client, run, experiment)


def read_children(uri: str, parent: RunRecord) -> list[RunRecord]:
    """Every active run nested under ``parent`` (tag ``mlflow.parentRunId``), in start order."""
    conn = _direct(uri)
    if conn is not None:
        ids = "SELECT run_uuid FROM tags WHERE key = ? AND value = ?"
        try:
            records = _records_sql(conn, ids, (PARENT_TAG, parent.run_id))
        finally:
            conn.close()
    else:
        client = open_client(uri)
        experiment = client.get_experiment_by_name(parent.experiment)
        runs = client.search_runs(
            [experiment.experiment_id],
            filter_string=f"tags.`{PARENT_TAG}` = '{parent.run_id}'",
            max_results=50_000,
        )
        records = [_record_client(client, r, parent.experiment) for r in runs]
    return sorted(records, key=lambda r: (r.start_ms or 0, r.run_id))


@contextmanager
def _quiet_downloads() -> Iterator[None]:
    # MLflow draws a progress bar on stderr for every download, even of a 1 kB file.
    name = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
    before = os.environ.get(name)
    os.environ[name] = "false"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def artifact_file(uri: str, run: RunRecord, name: str) -> Path | None:
    """The local path of the artifact ``name`` (e.g. ``trades.csv`` or ``.hydra/config.yaml``) of
    ``run``, or None when the run has no such file. Artifacts on a local path are read in place; others
    are downloaded into a temporary folder."""
    folder = local_folder(run.artifact_uri)
    if folder is not None:
        path = folder / name
        return path if path.is_file() else None
    client = open_client(uri)
    parent = posixpath.dirname(name)  # "" for a top-level file, ".hydra" for ".hydra/config.yaml"
    names = {a.path for a in client.list_artifacts(run.run_id, parent or None)}
    if name not in names:
        return None
    target = tempfile.mkdtemp(prefix=f"peak-artifacts-{run.run_id[:8]}-")
    try:
        with _quiet_downloads():
            return Path(client.download_artifacts(run.run_id, name, target))
    except Exception as exc:
        raise TrackingError(f"cannot download artifact {name} of run {run.run_id} from {uri}: {exc}") from exc
