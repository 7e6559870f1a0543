"""Where a report's numbers come from: one run's params, metrics, tags and artifact files.

:func:`load_run` reads them from MLflow by run id (all a reviewer needs); :func:`folder_source` reads a
run folder that ``peak-run`` has just written, with the params, metrics and tags it is logging, so the
reports written at the end of a run never wait on the store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peak.core.errors import TrackingError
from peak.tracking.read import RunRecord, artifact_file, read_children, read_run

Resolver = Callable[[str], Path | None]


@dataclass(frozen=True)
class RunSource:
    """One run for a report. ``file("trades.csv")`` is the local path of an artifact; a missing one is a
    ``TrackingError`` naming the run and the file. Example: ``load_run(uri, "0189...").metrics["sharpe"]``."""

    record: RunRecord
    resolve: Resolver
    where: str
    """The store URI or run folder, for error messages."""

    @property
    def run_id(self) -> str:
        return self.record.run_id

    @property
    def params(self) -> Mapping[str, str]:
        return self.record.params

    @property
    def metrics(self) -> Mapping[str, float]:
        return self.record.metrics

    @property
    def tags(self) -> Mapping[str, str]:
        return self.record.tags

    @property
    def task(self) -> str:
        """``peak.task`` (``backtest``, ``grid``, ``robustness``, ...), ``sweep`` for a sweep's parent."""
        if self.tags.get("peak.sweep_role") == "parent":
            return "sweep"
        return self.tags.get("peak.task", "backtest")

    def optional(self, name: str) -> Path | None:
        """The artifact ``name`` if the run has it, else None."""
        return self.resolve(name)

    def file(self, name: str) -> Path:
        """The artifact ``name``; raises ``TrackingError`` naming the run and the file when it is missing."""
        path = self.resolve(name)
        if path is None:
            raise TrackingError(
                f"run {self.run_id} ({self.record.name or 'unnamed'}, task {self.task}) has no artifact "
                f"{name} in {self.where}; it is written by peak-run for this kind of run"
            )
        return path

    def json(self, name: str) -> Any:
        """The artifact ``name`` parsed as JSON."""
        path = self.file(name)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise TrackingError(f"artifact {name} of run {self.run_id} is not valid JSON: {exc}") from exc


def load_run(uri: str, run_id: str) -> RunSource:
    """The run ``run_id`` of the store at ``uri`` (``sqlite:///.../mlflow.db``)."""
    record = read_run(uri, run_id)
    return RunSource(record, lambda name: artifact_file(uri, record, name), record.artifact_uri)


def load_children(uri: str, parent: RunSource) -> list[RunRecord]:
    """The child runs of a sweep's parent run, in start order."""
    return read_children(uri, parent.record)


def folder_source(
    run_dir: Path,
    run_id: str,
    experiment: str,
    name: str,
    params: Mapping[str, str],
    metrics: Mapping[str, float],
    tags: Mapping[str, str],
) -> RunSource:
    """A run that ``peak-run`` is finishing: its folder holds every artifact it logs."""

    def resolve(artifact: str) -> Path | None:
        path = run_dir / artifact
        return path if path.is_file() else None

    record = RunRecord(
        run_id=run_id,
        experiment=experiment,
        name=name,
        status="RUNNING",
        start_ms=None,
        end_ms=None,
        artifact_uri=str(run_dir),
        params=dict(params),
        metrics=dict(metrics),
        tags=dict(tags),
    )
    return RunSource(record, resolve, str(run_dir))
