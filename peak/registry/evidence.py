"""The logged evidence a promotion is judged on: the promoted run and the robustness runs of its config.

The promoted run (the subject) gives its own metrics. Out-of-sample and Monte-Carlo criteria need a
robustness study of the same configuration; evidence runs are, in order of precedence:

1. the subject itself when it is a ``task=robustness`` run (it carries every gate metric);
2. runs named with ``--evidence RUN_ID``;
3. otherwise the newest FINISHED ``task=robustness`` run of the same configuration, found by its lineage
   tags: same ``peak.data_fingerprint`` and identical ``strategy.*``, ``portfolio.*``, ``risk.*`` and
   ``execution.*`` params.

An evidence run of another configuration is refused: its metrics say nothing about the promoted one.
A metric is taken from the first run that logged it, subject first, and the record keeps which run that was.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from peak.core.errors import TrackingError
from peak.core.results import MetricValue

CONFIG_PREFIXES = ("strategy.", "portfolio.", "risk.", "execution.")
"""Param groups that must match between the promoted run and an evidence run (data: the fingerprint)."""
ROBUSTNESS_TASK = "robustness"
_MAX_FLOAT = 1.7976931348623157e308  # MLflow stores +inf as the largest float; read it back as inf


@dataclass(frozen=True)
class RunEvidence:
    """One logged run as evidence: its task, status, lineage tags, params and metrics."""

    run_id: str
    status: str
    artifact_uri: str
    tags: Mapping[str, str]
    params: Mapping[str, str]
    metrics: Mapping[str, float]

    @property
    def task(self) -> str | None:
        """``peak.task``: backtest, robustness, ...; None for runs Peak did not log (e.g. sweep parents)."""
        return self.tags.get("peak.task")

    def identity(self) -> dict[str, str]:
        """What must match for another run to vouch for this one: data fingerprint and config params."""
        found = {k: v for k, v in self.params.items() if k.startswith(CONFIG_PREFIXES)}
        found["peak.data_fingerprint"] = self.tags.get("peak.data_fingerprint", "")
        return found


@dataclass(frozen=True)
class Evidence:
    """The subject run, the runs that vouch for it, and why any of them cannot be used (``problems``)."""

    subject: RunEvidence
    linked: tuple[RunEvidence, ...]
    problems: tuple[str, ...]

    @property
    def run_ids(self) -> tuple[str, ...]:
        """Every run consulted, subject first."""
        return (self.subject.run_id, *(r.run_id for r in self.linked))

    def lookup(self, metric: str) -> tuple[MetricValue, str | None]:
        """``(value, run id)`` from the first run that logged ``metric``; ``(None, None)`` when none did."""
        for run in (self.subject, *self.linked):
            if metric in run.metrics:
                return run.metrics[metric], run.run_id
        return None, None


def _readable(value: float) -> float:
    if value >= _MAX_FLOAT:
        return math.inf
    return -math.inf if value <= -_MAX_FLOAT else value


def _as_evidence(run: Any) -> RunEvidence:
    return RunEvidence(
        run_id=run.info.run_id,
        status=run.info.status,
        artifact_uri=run.info.artifact_uri,
        tags=dict(run.data.tags),
        params=dict(run.data.params),
        metrics={k: _readable(float(v)) for k, v in run.data.metrics.items()},
    )


def fetch_run(client: Any, run_id: str) -> RunEvidence | None:
    """The run ``run_id`` or None when the store has no such run; ``TrackingError`` if it cannot be read."""
    from mlflow.exceptions import MlflowException

    try:
        return _as_evidence(client.get_run(run_id))
    except MlflowException as exc:
        if getattr(exc, "error_code", "") == "RESOURCE_DOES_NOT_EXIST":
            return None
        raise TrackingError(f"cannot read run {run_id} from the MLflow store: {exc}") from exc


def mismatch(subject: RunEvidence, other: RunEvidence) -> list[str]:
    """The first few keys where ``other`` is not the subject's configuration, as ``key=theirs (ours)``."""
    ours, theirs = subject.identity(), other.identity()
    keys = sorted(set(ours) | set(theirs))
    differ = [
        f"{k}={theirs.get(k, 'absent')} (promoted run: {ours.get(k, 'absent')})"
        for k in keys
        if ours.get(k) != theirs.get(k)
    ]
    return differ[:3] + ([f"and {len(differ) - 3} more"] if len(differ) > 3 else [])


def _subject_problems(run: RunEvidence) -> list[str]:
    problems = []
    if run.status != "FINISHED":
        problems.append(f"run {run.run_id} is {run.status}; only a FINISHED run can be promoted")
    if run.task is None:
        problems.append(
            f"run {run.run_id} is not a Peak run of one configuration (no peak.task tag; a sweep parent?)"
        )
    return problems


def _explicit(
    client: Any, subject: RunEvidence, run_ids: Sequence[str]
) -> tuple[list[RunEvidence], list[str]]:
    runs: list[RunEvidence] = []
    problems: list[str] = []
    for run_id in dict.fromkeys(run_ids):
        run = fetch_run(client, run_id)
        if run is None:
            problems.append(f"evidence run {run_id} does not exist in this store")
        elif run.status != "FINISHED":
            problems.append(f"evidence run {run_id} is {run.status}; only FINISHED runs count as evidence")
        elif diff := mismatch(subject, run):
            problems.append(f"evidence run {run_id} is another configuration: {'; '.join(diff)}")
        elif run_id != subject.run_id:
            runs.append(run)
    return runs, problems


def find_robustness_run(client: Any, subject: RunEvidence) -> RunEvidence | None:
    """The newest FINISHED ``task=robustness`` run with the subject's data fingerprint and config params."""
    fingerprint = subject.tags.get("peak.data_fingerprint")
    if not fingerprint:
        return None
    experiments = [e.experiment_id for e in client.search_experiments()]
    query = (
        f"tags.`peak.task` = '{ROBUSTNESS_TASK}' and tags.`peak.data_fingerprint` = '{fingerprint}' "
        "and attributes.status = 'FINISHED'"
    )
    found = client.search_runs(experiments, query, order_by=["attributes.start_time DESC"], max_results=500)
    for run in map(_as_evidence, found):
        if run.run_id != subject.run_id and not mismatch(subject, run):
            return run
    return None


def gather_evidence(client: Any, run_id: str, evidence_ids: Sequence[str] = ()) -> Evidence:
    """The subject ``run_id`` and its evidence runs (module docstring); ``TrackingError`` if the store has
    no run ``run_id``.

    Example: ``gather_evidence(client, "3f2a...").run_ids`` → ``("3f2a...", "9c1e...")`` for a backtest
    whose robustness run is ``9c1e...``.
    """
    subject = fetch_run(client, run_id)
    if subject is None:
        raise TrackingError(f"no run {run_id} in the MLflow store (peak-run prints the id as `mlflow run:`)")
    problems = _subject_problems(subject)
    linked, more = _explicit(client, subject, evidence_ids)
    problems += more
    if subject.task != ROBUSTNESS_TASK and not evidence_ids:
        found = find_robustness_run(client, subject)
        linked = [found] if found is not None else []
    return Evidence(subject, tuple(linked), tuple(problems))
