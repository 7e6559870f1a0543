"""Fixtures for end-to-end runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture()
def home(tmp_path: Path, mlflow_template_db: Path) -> Path:
    """A PEAK_HOME with an already-migrated MLflow store (creating one costs seconds)."""
    (tmp_path / "mlruns").mkdir()
    shutil.copyfile(mlflow_template_db, tmp_path / "mlruns" / "mlflow.db")
    return tmp_path
