"""The trials of a sweep report as one table: a multirun's child runs, or the cells of a ``task=grid`` run
(its results.csv). One row per trial with its id, status, swept parameters and metrics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from peak.core.errors import ConfigError
from peak.metrics import METRIC_NAMES
from peak.reporting.source import RunSource, load_children
from peak.tracking.read import RunRecord

JOB_TAG = "peak.sweep_job"
OVERRIDE_PREFIX = "peak.override."


@dataclass(frozen=True)
class Trials:
    """``frame`` columns: ``trial`` (job or cell number), ``run_id`` (empty for grid cells), ``status``,
    one column per swept parameter (``params``), then every metric of ``METRIC_NAMES``."""

    kind: str
    frame: pd.DataFrame
    params: tuple[str, ...]
    deflated_sharpe: float | None
    pbo: float | None
    fixed: Mapping[str, str] = field(default_factory=dict)
    """Overrides every trial shares (``data.start`` → ``2024-01-01``)."""

    @property
    def finished(self) -> pd.DataFrame:
        """The trials that finished (the ones that have metrics)."""
        return self.frame[self.frame["status"] == "FINISHED"]


def _numeric(values: pd.Series) -> pd.Series:
    """The column as numbers when every value is one (``"5"`` → 5.0), else unchanged (categories)."""
    converted = pd.to_numeric(values, errors="coerce")
    return converted if converted.notna().all() else values.astype(str)


def _one_per_job(children: Sequence[RunRecord]) -> list[RunRecord]:
    """A job tried more than once (killed, then resumed) counts once: its finished try, else its latest."""
    by_job: dict[str, RunRecord] = {}
    for child in children:  # in start order, so a later try replaces an earlier one
        job = child.tags.get(JOB_TAG, child.run_id)
        kept = by_job.get(job)
        if kept is None or kept.status != "FINISHED" or child.status == "FINISHED":
            by_job[job] = child
    return list(by_job.values())


def _override_keys(parent: RunSource, children: Sequence[RunRecord]) -> tuple[str, ...]:
    """Every key the sweep overrode: its definition (``sweep.<key>`` params) and the children's tags."""
    keys = [k.removeprefix("sweep.") for k in parent.params if k.startswith("sweep.")]
    for child in children:
        keys += [k.removeprefix(OVERRIDE_PREFIX) for k in child.tags if k.startswith(OVERRIDE_PREFIX)]
    return tuple(dict.fromkeys(keys))


def _metric(metrics: Mapping[str, float], name: str) -> float:
    value = metrics.get(name)
    return np.nan if value is None else float(value)


def sweep_trials(parent: RunSource, children: Sequence[RunRecord]) -> Trials:
    """Trials of a multirun from its parent and child runs."""
    kept = _one_per_job(children)
    keys = _override_keys(parent, kept)
    rows = []
    for child in kept:
        job = child.tags.get(JOB_TAG, "")
        row: dict[str, object] = {
            "trial": int(job) if job.isdigit() else -1,
            "run_id": child.run_id,
            "status": child.status,
        }
        for key in keys:
            row[key] = child.tags.get(OVERRIDE_PREFIX + key, child.params.get(key, ""))
        row.update({m: _metric(child.metrics, m) for m in METRIC_NAMES})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["trial", "run_id", "status", *keys, *METRIC_NAMES])
    for key in keys:
        frame[key] = _numeric(frame[key])
    frame = frame.sort_values("trial", kind="stable").reset_index(drop=True)
    # An override with one value for every job (data.start=2024-01-01) is context, not a swept parameter.
    swept = tuple(k for k in keys if frame[k].astype(str).nunique() > 1) or keys
    fixed = {k: str(frame[k].iloc[0]) for k in keys if k not in swept and len(frame)}
    metrics = parent.metrics
    return Trials(
        "sweep", frame, swept, metrics.get("sweep.deflated_sharpe"), metrics.get("sweep.pbo"), fixed
    )


def grid_trials(source: RunSource) -> Trials:
    """Trials of a ``task=grid`` run from its results.csv (one row per evaluated cell)."""
    frame = pd.read_csv(source.file("results.csv"))
    axes = tuple(c for c in frame.columns if c != "cell" and c not in METRIC_NAMES)
    frame = frame.rename(columns={"cell": "trial"})
    frame.insert(1, "run_id", "")
    frame.insert(2, "status", "FINISHED")
    for key in axes:
        frame[key] = _numeric(frame[key])
    metrics = source.metrics
    return Trials("grid", frame, axes, metrics.get("grid.deflated_sharpe"), metrics.get("grid.pbo"))


def load_trials(uri: str, source: RunSource) -> Trials:
    """The trials behind ``source``: a sweep's parent run or a ``task=grid`` run; anything else is refused
    naming the run's task."""
    if source.task == "sweep":
        return sweep_trials(source, load_children(uri, source))
    if source.task == "grid":
        return grid_trials(source)
    raise ConfigError(
        f"run {source.run_id} is a task={source.task} run, not a sweep; peak report sweep takes a multirun's "
        f"parent run (peak-run -m ...) or a task=grid run; use peak report run {source.run_id}"
    )
