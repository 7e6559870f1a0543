"""Run Peak's console scripts in a subprocess with project state in a temporary PEAK_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def isolated_env(home: Path, **extra: str) -> dict[str, str]:
    """The current environment with PEAK_HOME and the data cache under ``home`` and no MLflow URI."""
    env = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_TRACKING_URI", "HYDRA_FULL_ERROR")}
    env["PEAK_HOME"] = str(home)
    env.setdefault("PEAK_CACHE_DIR", str(home / "cache"))
    env.update(extra)
    return env


def run_cli(
    program: str, args: Sequence[str], home: Path, timeout: float = 180, **extra: str
) -> subprocess.CompletedProcess[str]:
    """Run ``program`` (peak-run or peak) from the venv with cwd at the project root."""
    return subprocess.run(
        [str(BIN / program), *args],
        cwd=PROJECT_ROOT,
        env=isolated_env(home, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def store_uri(home: Path) -> str:
    """The default MLflow store of a PEAK_HOME."""
    return f"sqlite:///{(home / 'mlruns' / 'mlflow.db').resolve()}"
