"""Runs written straight into MLflow's sqlite schema: the fast path for sweep jobs (ADR 0004).

MLflow's client spends ~80 ms of CPU per run on its ORM (create, one ``log_batch``, artifacts, close), as
much as the backtest itself; a 200-job sweep spends most of its time there. This module writes the
same rows with plain ``sqlite3``: about 2 ms a run. It is used only when the store is a local
``sqlite:///`` file whose schema revision is one this module was verified against
(:data:`KNOWN_REVISIONS`, checked by ``tests/unit/tracking/test_direct_store.py`` against runs logged
through MlflowClient) and whose experiment keeps artifacts on a local path. Anything else goes
through MlflowClient, so an upgraded MLflow loses speed, never data.

What a run gets is what :class:`peak.tracking.mlflow_run.RunHandle` gives it: the ``runs`` row with
``mlflow.runName`` and ``mlflow.user`` tags, params (a changed value is refused like MLflow does),
metric history plus ``latest_metrics`` by MLflow's rule (highest step, then timestamp, then value),
tags, artifacts copied under the run's ``artifact_uri`` and the final status with ``end_time``.
"""

from __future__ import annotations

import math
import os
import posixpath
import re
import shutil
import signal
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from peak.core.errors import TrackingError
from peak.core.results import MetricValue
from peak.tracking.mlflow_run import RunInfo, record_error
from peak.tracking.store import sqlite_path

KNOWN_REVISIONS = frozenset({"dc11669786a5"})
"""Alembic heads of the MLflow schemas this writer matches (mlflow 3.17.2)."""

_MAX_KEY = 250
_MAX_PARAM_VALUE = 6000
_MAX_TAG_VALUE = 8000
_MAX_RUN_NAME = 250
_MAX_FLOAT = 1.7976931348623157e308
_KEY_PATTERN = re.compile(r"^[/\w.\- :]+$")
_CONNECTIONS: dict[tuple[int, str], sqlite3.Connection] = {}
_EXPERIMENTS: dict[tuple[int, str, str], tuple[str, str, Path]] = {}


_DEFERRED = {signal.SIGTERM, signal.SIGINT}


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Block SIGTERM and SIGINT in the main thread for the duration (they are delivered right after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _connect(db: Path) -> sqlite3.Connection:
    """One connection per process and database; ``BEGIN IMMEDIATE`` per write so that concurrent
    sweep workers queue on the lock instead of failing on an upgrade from a read lock."""
    key = (os.getpid(), str(db))
    conn = _CONNECTIONS.get(key)
    if conn is None:
        conn = sqlite3.connect(db, timeout=60, isolation_level=None, check_same_thread=False)
        # Durable against a killed process (WAL); a power cut may lose the last commits of a sweep.
        conn.execute("PRAGMA synchronous=NORMAL")
        _CONNECTIONS[key] = conn
    return conn


def _revision(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return None if row is None else str(row[0])


def local_folder(artifact_uri: str) -> Path | None:
    """The folder of a ``file://`` (or plain absolute path) artifact URI; None for remote stores."""
    parsed = urlparse(artifact_uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "" and artifact_uri.startswith("/"):
        return Path(artifact_uri)
    return None


def _experiment(conn: sqlite3.Connection, db: Path, name: str) -> tuple[str, str, Path] | None:
    """(experiment id, artifact location, its local folder) of an active experiment, None when
    unusable here."""
    key = (os.getpid(), str(db), name)
    if key not in _EXPERIMENTS:
        row = conn.execute(
            "SELECT experiment_id, artifact_location FROM experiments WHERE name = ? AND lifecycle_stage = ?",
            (name, "active"),
        ).fetchone()
        folder = None if row is None else local_folder(str(row[1]))
        if row is None or folder is None:
            return None
        _EXPERIMENTS[key] = (str(row[0]), str(row[1]), folder)
    return _EXPERIMENTS[key]


def usable(uri: str, experiment: str) -> bool:
    """True when runs of ``experiment`` at ``uri`` can be written directly (see the module docstring).
    The store must exist already: creating and migrating it is MLflow's job."""
    db = sqlite_path(uri)
    if db is None or not db.is_file():
        return False
    conn = _connect(db)
    return _revision(conn) in KNOWN_REVISIONS and _experiment(conn, db, experiment) is not None


def _storable(value: float) -> float:
    """MLflow's SQL stores keep +/-inf as the largest finite float of that sign."""
    if math.isinf(value):
        return _MAX_FLOAT if value > 0 else -_MAX_FLOAT
    return value


def _check_key(key: str, what: str) -> str:
    # MLflow's rules (mlflow.utils.validation): allowed characters, and a normalised relative path.
    norm = posixpath.normpath(key)
    if len(key) > _MAX_KEY or not _KEY_PATTERN.match(key) or norm != key or norm.startswith(("..", "/")):
        raise TrackingError(
            f"{what} name {key!r} is not valid in MLflow: at most {_MAX_KEY} characters from letters, "
            "digits, '_', '-', '.', ':', ' ' and '/', forming a relative path without '.' or '..' parts"
        )
    return key


class DirectRun:
    """One RUNNING run written with sqlite3; the same operations as ``RunHandle``."""

    def __init__(self, db: Path, info: RunInfo, artifacts: Path) -> None:
        self._db = db
        self.info = info
        self.artifacts = artifacts

    @property
    def _conn(self) -> sqlite3.Connection:
        # Looked up per use: connections are per process and closed before a fork.
        return _connect(self._db)

    def _write(self, statements: list[tuple[str, list[tuple[object, ...]]]]) -> None:
        conn = self._conn
        # SIGTERM's handler closes the run with another write on this connection; held back until the
        # transaction is over, so that it never starts inside (or rolls back) this one.
        with _signals_deferred():
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    for sql, rows in statements:
                        if rows:
                            conn.executemany(sql, rows)
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise TrackingError(f"cannot write run {self.info.run_id} to {self.info.uri}: {exc}") from exc

    def _check_params(self, params: Mapping[str, str]) -> None:
        rows = self._conn.execute("SELECT key, value FROM params WHERE run_uuid = ?", (self.info.run_id,))
        changed = {k: (v, params[k]) for k, v in rows if k in params and params[k] != v}
        if changed:
            raise TrackingError(
                f"run {self.info.run_id}: params cannot change once logged (MLflow's rule): "
                + ", ".join(f"{k}: {old!r} -> {new!r}" for k, (old, new) in sorted(changed.items()))
            )

    def log(
        self,
        params: Mapping[str, str] | None = None,
        metrics: Mapping[str, MetricValue] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Params, metrics (None and NaN skipped, like ``RunHandle.log``) and tags in one transaction."""
        run_id, now = self.info.run_id, _now_ms()
        param_rows = {_check_key(k, "param"): str(v)[:_MAX_PARAM_VALUE] for k, v in (params or {}).items()}
        self._check_params(param_rows)
        metric_rows = [
            (_check_key(k, "metric"), _storable(float(v)), now, run_id, 0, 0)
            for k, v in (metrics or {}).items()
            if v is not None and not (isinstance(v, float) and math.isnan(v))
        ]
        tag_rows = [(_check_key(k, "tag"), str(v)[:_MAX_TAG_VALUE], run_id) for k, v in (tags or {}).items()]
        self._write(
            [
                (
                    "INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [(k, v, run_id) for k, v in param_rows.items()],
                ),
                (
                    "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    metric_rows,
                ),
                (
                    "INSERT INTO latest_metrics (key, value, timestamp, run_uuid, step, is_nan) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key, run_uuid) DO UPDATE SET "
                    "value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, "
                    "is_nan = excluded.is_nan WHERE (excluded.step, excluded.timestamp, excluded.value) "
                    "> (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)",
                    metric_rows,
                ),
                (
                    "INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?) "
                    "ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value",
                    tag_rows,
                ),
            ]
        )

    def log_artifacts(self, folder: Path, artifact_path: str | None = None) -> None:
        """Copy every file under ``folder`` into the run's artifact folder (what MLflow's local
        artifact repository does)."""
        target = self.artifacts / artifact_path if artifact_path else self.artifacts
        try:
            shutil.copytree(folder, target, dirs_exist_ok=True)
        except OSError as exc:
            raise TrackingError(
                f"cannot copy {folder} into the artifacts of run {self.info.run_id}: {exc}"
            ) from exc

    def log_text(self, text: str, name: str) -> None:
        """Store ``text`` as the artifact file ``name``."""
        path = self.artifacts / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def finish(self, status: str, error: str | None = None) -> None:
        """Close the run as FINISHED, FAILED or KILLED; ``error`` becomes ``error.txt`` and ``peak.error``."""
        if error is not None:
            record_error(self, error)
        self._write(
            [
                (
                    "UPDATE runs SET status = ?, end_time = ? WHERE run_uuid = ?",
                    [(status, _now_ms(), self.info.run_id)],
                )
            ]
        )


def create_direct_run(uri: str, experiment: str, run_name: str, tags: Mapping[str, str]) -> DirectRun:
    """A RUNNING run in ``experiment`` (which must exist; see :func:`usable`), with ``tags``."""
    db = sqlite_path(uri)
    if db is None:
        raise TrackingError(f"{uri} is not a sqlite store")
    conn = _connect(db)
    found = _experiment(conn, db, experiment)
    if found is None:
        raise TrackingError(f"experiment {experiment!r} is not usable for direct writes at {uri}")
    experiment_id, location, folder = found
    run_id = uuid.uuid4().hex
    artifacts = folder / run_id / "artifacts"
    name = str(tags.get("mlflow.runName") or run_name)[:_MAX_RUN_NAME]
    # As MlflowClient.create_run: the user column comes from the mlflow.user tag, else "unknown".
    user = tags.get("mlflow.user", "unknown")
    all_tags = {"mlflow.runName": name, **tags}
    info = RunInfo(run_id=run_id, experiment_id=experiment_id, experiment=experiment, uri=uri)
    run = DirectRun(db, info, artifacts)
    row = (run_id, name, "UNKNOWN", "", "", user, "RUNNING", _now_ms(), None, "", "active")
    run._write(
        [
            (
                "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, "
                "status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, "
                "experiment_id, deleted_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                [(*row, f"{location.rstrip('/')}/{run_id}/artifacts", int(experiment_id))],
            ),
            (
                "INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)",
                [(_check_key(k, "tag"), str(v)[:_MAX_TAG_VALUE], run_id) for k, v in all_tags.items()],
            ),
        ]
    )
    return run


@dataclass(frozen=True)
class ChildRow:
    """One child run of a sweep as the tally needs it."""

    run_id: str
    job: str | None
    status: str
    start_time: int


def child_rows(run: DirectRun, parent_tag: str, job_tag: str) -> list[ChildRow]:
    """Active runs whose ``parent_tag`` names ``run``, with their ``job_tag`` (what ``search_runs`` with
    ``tags.`mlflow.parentRunId` = '<id>'`` returns, in one query)."""
    rows = run._conn.execute(
        "SELECT r.run_uuid, (SELECT j.value FROM tags j WHERE j.run_uuid = r.run_uuid AND j.key = ?), "
        "r.status, COALESCE(r.start_time, 0) FROM runs r JOIN tags p ON p.run_uuid = r.run_uuid "
        "WHERE p.key = ? AND p.value = ? AND r.lifecycle_stage = 'active'",
        (job_tag, parent_tag, run.info.run_id),
    ).fetchall()
    return [ChildRow(str(a), None if b is None else str(b), str(c), int(d)) for a, b, c, d in rows]


def close_connections() -> None:
    """Close this process's connections (call before fork; they reopen on next use)."""
    for key in [k for k in _CONNECTIONS if k[0] == os.getpid()]:
        _CONNECTIONS.pop(key).close()
