"""Store location rules and safe first-time creation of the sqlite store."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from peak.tracking.store import (
    default_uri,
    experiment_artifact_location,
    open_client,
    resolve_uri,
    sqlite_path,
)


def test_resolve_uri_when_configured_then_config_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///env.db")
    assert resolve_uri("sqlite:///cfg.db", tmp_path) == "sqlite:///cfg.db"


def test_resolve_uri_when_only_env_then_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///env.db")
    assert resolve_uri(None, tmp_path) == "sqlite:///env.db"


def test_resolve_uri_when_nothing_set_then_project_mlruns(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert resolve_uri(None, tmp_path) == f"sqlite:///{tmp_path.resolve()}/mlruns/mlflow.db"
    assert sqlite_path(default_uri(tmp_path)) == tmp_path.resolve() / "mlruns" / "mlflow.db"


def test_experiment_artifact_location_when_sqlite_then_beside_db(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    assert experiment_artifact_location(uri, "my study/1") == (tmp_path / "artifacts" / "my_study_1").as_uri()
    assert experiment_artifact_location("http://127.0.0.1:5000", "x") is None


def test_open_client_when_new_store_then_created_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "mlflow.db"
    client = open_client(f"sqlite:///{db}")
    assert client.search_experiments() is not None
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_open_client_when_four_processes_create_at_once_then_all_succeed(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    code = (
        "import sys; from peak.tracking.store import open_client; "
        "c = open_client(sys.argv[1]); print(len(c.search_experiments()))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, uri], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err[-2000:] for _, err in results]
    assert all(out.strip() == "1" for out, _ in results)  # one Default experiment, no corruption


def test_open_client_when_store_unreachable_then_tracking_error(tmp_path: Path) -> None:
    from peak.core.errors import TrackingError

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(TrackingError, match="cannot open the MLflow store"):
        open_client(f"sqlite:///{blocker}/mlflow.db")
