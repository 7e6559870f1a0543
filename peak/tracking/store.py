"""Where the MLflow store lives, and creating it safely once.

The default store is ``sqlite:///<project>/mlruns/mlflow.db`` with artifacts under ``<project>/mlruns/``.
Creating the sqlite schema is not safe when several processes do it at once, so first-time creation
happens under an exclusive file lock, and WAL journaling lets sweep workers write concurrently.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peak.core.errors import TrackingError

if TYPE_CHECKING:
    from collections.abc import Iterator

_SQLITE_PREFIX = "sqlite:///"


def default_uri(project_root: Path) -> str:
    """``sqlite:///<project_root>/mlruns/mlflow.db``."""
    return f"{_SQLITE_PREFIX}{(project_root / 'mlruns' / 'mlflow.db').resolve()}"


def resolve_uri(configured: str | None, project_root: Path) -> str:
    """``tracking.uri`` if set, else ``$MLFLOW_TRACKING_URI``, else the project's sqlite store."""
    if configured:
        return configured
    env = os.environ.get("MLFLOW_TRACKING_URI")
    return env if env else default_uri(project_root)


def sqlite_path(uri: str) -> Path | None:
    """The database file of a ``sqlite:///`` URI, None for other stores."""
    if not uri.startswith(_SQLITE_PREFIX):
        return None
    return Path(uri[len(_SQLITE_PREFIX) :])


def artifact_root(uri: str) -> Path | None:
    """Artifacts of a sqlite store go beside the database file, under ``artifacts/``."""
    path = sqlite_path(uri)
    return None if path is None else path.parent / "artifacts"


def experiment_artifact_location(uri: str, experiment: str) -> str | None:
    """A stable folder per experiment name, or None to let the server decide (non-sqlite stores)."""
    root = artifact_root(uri)
    if root is None:
        return None
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", experiment).strip("_") or "experiment"
    return (root / safe).as_uri()


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _set_wal(db: Path) -> None:
    # WAL is a property of the database file, so setting it once persists for every later connection.
    with sqlite3.connect(db, timeout=30) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


_CLIENTS: dict[tuple[int, str], Any] = {}
"""Open clients by (process id, uri): a sweep worker runs many jobs against one store, and each fresh
client re-locks, re-checks the schema and reconnects (~40 ms a job). Keyed by pid so a forked worker
never reuses its parent's client and connections."""


def open_client(uri: str) -> Any:
    """An ``MlflowClient`` for ``uri``; the sqlite schema is created and migrated under a lock first
    (once per process and store; later calls return the same client).

    Returns the client typed as Any so that mlflow is imported only here, lazily (it costs ~2 s).
    """
    key = (os.getpid(), uri)
    cached = _CLIENTS.get(key)
    if cached is not None:
        return cached
    from mlflow.tracking import MlflowClient

    db = sqlite_path(uri)
    try:
        if db is None:
            client = MlflowClient(tracking_uri=uri)
        else:
            with _exclusive(db.with_name(db.name + ".lock")):
                client = MlflowClient(tracking_uri=uri)
                # Touching the store forces schema creation/migration while we hold the lock.
                client.search_experiments(max_results=1)
                _set_wal(db)
        _CLIENTS[key] = client
        return client
    except Exception as exc:  # any failure to reach the store is one clear error for the user
        raise TrackingError(f"cannot open the MLflow store {uri}: {exc}") from exc


def prepare_store(uri: str) -> None:
    """Create and migrate the store once, before parallel workers start (sweeps call this first)."""
    open_client(uri)
