"""One MLflow run in this process: batched logging and closing it with a status."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from peak.core.errors import TrackingError
from peak.core.results import MetricValue
from peak.tracking.store import experiment_artifact_location, open_client

# MLflow's per-request limits for log_batch.
_MAX_PARAMS_OR_TAGS = 100
_MAX_METRICS = 1000
_MAX_PARAM_CHARS = 6000
_MAX_TAG_CHARS = 5000


@dataclass(frozen=True)
class RunInfo:
    """Identity of a tracked run, e.g. ``RunInfo(run_id="3f2a...", experiment_id="1", experiment="peak")``."""

    run_id: str
    experiment_id: str
    experiment: str
    uri: str


def _take(items: list[Any], count: int) -> tuple[list[Any], list[Any]]:
    return items[:count], items[count:]


def _loggable(value: MetricValue) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


class RunHandle:
    """Operations on one RUNNING MLflow run. Create it with :func:`create_run`."""

    def __init__(self, client: Any, info: RunInfo) -> None:
        self._client = client
        self.info = info

    @property
    def client(self) -> Any:
        """The ``MlflowClient`` this run was created with (same store), for queries around the run."""
        return self._client

    def log(
        self,
        params: Mapping[str, str] | None = None,
        metrics: Mapping[str, MetricValue] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Log in as few ``log_batch`` calls as MLflow allows; None and NaN metrics are skipped."""
        from mlflow.entities import Metric, Param, RunTag

        now = int(time.time() * 1000)
        param_list = [Param(k, str(v)[:_MAX_PARAM_CHARS]) for k, v in (params or {}).items()]
        tag_list = [RunTag(k, str(v)[:_MAX_TAG_CHARS]) for k, v in (tags or {}).items()]
        metric_list = [Metric(k, float(v), now, 0) for k, v in (metrics or {}).items() if _loggable(v)]
        while param_list or tag_list or metric_list:
            p, param_list = _take(param_list, _MAX_PARAMS_OR_TAGS)
            t, tag_list = _take(tag_list, _MAX_PARAMS_OR_TAGS)
            m, metric_list = _take(metric_list, _MAX_METRICS - len(p) - len(t))
            self._client.log_batch(self.info.run_id, metrics=m, params=p, tags=t)

    def log_artifacts(self, folder: Path, artifact_path: str | None = None) -> None:
        """Copy every file under ``folder`` into the run's artifacts."""
        self._client.log_artifacts(self.info.run_id, str(folder), artifact_path=artifact_path)

    def log_text(self, text: str, name: str) -> None:
        """Store ``text`` as the artifact file ``name``."""
        self._client.log_text(self.info.run_id, text, name)

    def finish(self, status: str, error: str | None = None) -> None:
        """Close the run as FINISHED, FAILED or KILLED; ``error`` (a traceback) becomes ``error.txt``."""
        if error is not None:
            record_error(self, error)
        self._client.set_terminated(self.info.run_id, status)


class _ErrorSink(Protocol):
    def log_text(self, text: str, name: str) -> None: ...

    def log(self, params: Any = None, metrics: Any = None, tags: Mapping[str, str] | None = None) -> None: ...


def record_error(run: _ErrorSink, error: str) -> None:
    """``error`` (a traceback) as the artifact ``error.txt`` and its last line as the tag ``peak.error``.
    Best effort: the run's status matters more than its error record."""
    try:
        run.log_text(error, "error.txt")
        run.log(tags={"peak.error": error.strip().splitlines()[-1]})
    except Exception:
        pass


def create_run(uri: str, experiment: str, run_name: str | None, tags: Mapping[str, str]) -> RunHandle:
    """Create a RUNNING run in ``experiment`` (created with a stable artifact folder if new)."""
    client = open_client(uri)
    try:
        found = client.get_experiment_by_name(experiment)
        experiment_id = _create_experiment(client, uri, experiment) if found is None else found.experiment_id
        run = client.create_run(experiment_id, run_name=run_name, tags=dict(tags))
    except TrackingError:
        raise
    except Exception as exc:
        raise TrackingError(f"cannot create a run in experiment {experiment!r} at {uri}: {exc}") from exc
    info = RunInfo(run_id=run.info.run_id, experiment_id=str(experiment_id), experiment=experiment, uri=uri)
    return RunHandle(client, info)


def _create_experiment(client: Any, uri: str, experiment: str) -> str:
    from mlflow.exceptions import MlflowException

    try:
        return str(client.create_experiment(experiment, experiment_artifact_location(uri, experiment)))
    except MlflowException:
        # Another process created it between our lookup and create.
        found = client.get_experiment_by_name(experiment)
        if found is None:
            raise
        return str(found.experiment_id)


def open_run(uri: str, run_id: str) -> RunHandle:
    """A handle on an existing run (e.g. a sweep parent being resumed). Raises ``TrackingError`` if the
    store cannot be read or has no such run."""
    client = open_client(uri)
    try:
        run = client.get_run(run_id)
        experiment = client.get_experiment(run.info.experiment_id)
    except Exception as exc:
        raise TrackingError(f"no run {run_id} in the store at {uri}: {exc}") from exc
    info = RunInfo(
        run_id=run_id, experiment_id=str(run.info.experiment_id), experiment=experiment.name, uri=uri
    )
    return RunHandle(client, info)
