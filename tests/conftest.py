"""Shared fixtures: the location of the shared real market data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """``$PEAK_SHARED_DATA`` or ``../shared/data`` beside the project."""
    return Path(os.environ.get("PEAK_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def market_dir() -> Path:
    """Folder of the real hourly/daily OHLCV files; skips the test when it is absent."""
    path = shared_data_dir() / "market"
    if not (path / "BTCUSDT_1h.csv.gz").is_file():
        pytest.skip(f"shared market data not found at {path} (set PEAK_SHARED_DATA to shared/data)")
    return path


@pytest.fixture(scope="session")
def mlflow_template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow sqlite store created and migrated once per session (creation costs seconds)."""
    from peak.tracking.store import open_client

    db = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    open_client(f"sqlite:///{db}")
    return db


@pytest.fixture()
def mlflow_uri(tmp_path: Path, mlflow_template_db: Path) -> str:
    """A fresh, already-migrated sqlite store under this test's tmp dir."""
    import shutil

    db = tmp_path / "mlruns" / "mlflow.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(mlflow_template_db, db)
    return f"sqlite:///{db}"
