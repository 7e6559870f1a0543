"""Read back what a tracked run recorded (status, tags, metrics and the files that define it) and mark a run
with tags afterwards: what ``peak rerun`` needs from the store, through MlflowClient so that any store works.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from peak.core.errors import TrackingError
from peak.tracking.store import open_client

CONFIG_ARTIFACT = ".hydra/config.yaml"
"""The composed config Hydra saved in the run folder, logged with the other files of the folder."""
OVERRIDES_ARTIFACT = ".hydra/overrides.yaml"
"""The run's command-line overrides as a YAML list (exact, unlike the space-joined ``peak.overrides`` tag)."""
METRICS_ARTIFACT = "metrics.json"
"""The run's own metrics with NaN, infinities and undefined values kept (MLflow drops or clamps them)."""


@dataclass(frozen=True)
class LoggedRun:
    """One run as the store holds it, e.g. ``LoggedRun(run_id="3f2a...", experiment="peak", status="FINISHED",
    ...)``. The texts are None when the run has no such artifact (a run not made by ``peak-run``)."""

    run_id: str
    experiment_id: str
    experiment: str
    name: str
    status: str
    tags: Mapping[str, str]
    metrics: Mapping[str, float]
    """The latest value of every metric, as stored (NaN and None were never logged; +-inf is clamped)."""
    config_yaml: str | None = None
    overrides_yaml: str | None = None
    metrics_json: str | None = None
    children: int = field(default=0)
    """How many runs name this one as their ``mlflow.parentRunId`` (a sweep's parent has its jobs)."""


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


def _artifact_text(client: Any, run_id: str, path: str, folder: Path) -> str | None:
    try:
        local = client.download_artifacts(run_id, path, str(folder))
    except Exception:  # absent artifacts raise store-specific errors; absence is all we need to know
        return None
    file = Path(local)
    return file.read_text(encoding="utf-8") if file.is_file() else None


def _count_children(client: Any, experiment_id: str, run_id: str) -> int:
    found = client.search_runs(
        [experiment_id], filter_string=f"tags.`mlflow.parentRunId` = '{run_id}'", max_results=1000
    )
    return len(found)


def read_logged_run(uri: str, run_id: str) -> LoggedRun:
    """Everything ``peak rerun`` compares against, from the store at ``uri``.

    Example: ``read_logged_run("sqlite:///mlruns/mlflow.db", "3f2a9c...").tags["peak.data_fingerprint"]``.
    Raises ``TrackingError`` naming the run and the store when the run does not exist there.
    """
    client = open_client(uri)
    try:
        run = client.get_run(run_id)
        experiment = client.get_experiment(run.info.experiment_id)
    except Exception as exc:
        raise TrackingError(f"no run {run_id!r} in the store at {uri}: {exc}") from exc
    with tempfile.TemporaryDirectory(prefix="peak-rerun-") as tmp, _quiet_downloads():
        texts = {
            path: _artifact_text(client, run_id, path, Path(tmp))
            for path in (CONFIG_ARTIFACT, OVERRIDES_ARTIFACT, METRICS_ARTIFACT)
        }
    return LoggedRun(
        run_id=run_id,
        experiment_id=str(run.info.experiment_id),
        experiment=str(experiment.name),
        name=str(run.info.run_name or ""),
        status=str(run.info.status),
        tags=dict(run.data.tags),
        metrics={k: float(v) for k, v in run.data.metrics.items()},
        config_yaml=texts[CONFIG_ARTIFACT],
        overrides_yaml=texts[OVERRIDES_ARTIFACT],
        metrics_json=texts[METRICS_ARTIFACT],
        children=_count_children(client, str(run.info.experiment_id), run_id),
    )


def run_metrics(uri: str, run_id: str) -> dict[str, float]:
    """The stored metrics of one run (latest value per key)."""
    client = open_client(uri)
    try:
        return {k: float(v) for k, v in client.get_run(run_id).data.metrics.items()}
    except Exception as exc:
        raise TrackingError(f"cannot read the metrics of run {run_id!r} at {uri}: {exc}") from exc


def tag_run(uri: str, run_id: str, tags: Mapping[str, str]) -> None:
    """Set ``tags`` on an existing run, whatever its status (a FINISHED run keeps its status).

    Example: ``tag_run(uri, "3f2a...", {"peak.reproducible": "true"})``.
    """
    from mlflow.entities import RunTag

    client = open_client(uri)
    try:
        client.log_batch(run_id, tags=[RunTag(k, v) for k, v in tags.items()])
    except Exception as exc:
        raise TrackingError(f"cannot tag run {run_id!r} at {uri}: {exc}") from exc


def attach_json(uri: str, run_id: str, payload: Mapping[str, Any], name: str) -> None:
    """Store ``payload`` as the JSON artifact ``name`` of an existing run."""
    client = open_client(uri)
    text = json.dumps(payload, indent=2, sort_keys=True, allow_nan=False) + "\n"
    try:
        client.log_text(run_id, text, name)
    except Exception as exc:
        raise TrackingError(f"cannot attach {name} to run {run_id!r} at {uri}: {exc}") from exc
