"""What ``peak rerun`` needs of a tracked run: what it recorded (status, tags, metrics and the files that
define it, read through :mod:`peak.tracking.read`), and marking it with tags and files afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from peak.core.errors import TrackingError
from peak.tracking.compare import stored_value
from peak.tracking.read import RunRecord, artifact_file, read_children, read_run
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
    experiment: str
    name: str
    status: str
    tags: Mapping[str, str]
    metrics: Mapping[str, float]
    """The latest value of every metric as MLflow keeps it (NaN and None were never logged; +-inf is
    clamped to the largest float), so that it compares with ``compare.as_stored`` of a fresh run."""
    config_yaml: str | None = None
    overrides_yaml: str | None = None
    metrics_json: str | None = None
    children: int = field(default=0)
    """How many runs name this one as their ``mlflow.parentRunId`` (a sweep's parent has its jobs)."""


def _artifact_text(uri: str, run: RunRecord, name: str) -> str | None:
    path = artifact_file(uri, run, name)
    return path.read_text(encoding="utf-8") if path is not None else None


def read_logged_run(uri: str, run_id: str) -> LoggedRun:
    """Everything ``peak rerun`` compares against, from the store at ``uri`` (through
    :mod:`peak.tracking.read`: plain sqlite for a local store, MlflowClient for others).

    Example: ``read_logged_run("sqlite:///mlruns/mlflow.db", "3f2a9c...").tags["peak.data_fingerprint"]``.
    Raises ``TrackingError`` naming the run and the store when the run does not exist there.
    """
    run = read_run(uri, run_id)
    stored = {name: stored_value(value) for name, value in run.metrics.items()}
    return LoggedRun(
        run_id=run.run_id,
        experiment=run.experiment,
        name=run.name,
        status=run.status,
        tags=dict(run.tags),
        metrics={name: value for name, value in stored.items() if value is not None},
        config_yaml=_artifact_text(uri, run, CONFIG_ARTIFACT),
        overrides_yaml=_artifact_text(uri, run, OVERRIDES_ARTIFACT),
        metrics_json=_artifact_text(uri, run, METRICS_ARTIFACT),
        children=len(read_children(uri, run)),
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
