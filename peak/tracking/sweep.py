"""MLflow side of a sweep: the parent run, the link from each child run to it, and the final tally.

The parent run's id reaches the job processes through the ``PEAK_PARENT_RUN_ID`` environment variable,
set before the launcher starts its workers (joblib's workers inherit the environment).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from peak.core.errors import TrackingError
from peak.core.results import MetricValue
from peak.tracking.direct_store import ChildRow, DirectRun, child_rows, create_direct_run, usable
from peak.tracking.mlflow_run import RunHandle, create_run

PARENT_ENV = "PEAK_PARENT_RUN_ID"
"""Environment variable holding the sweep's parent run id inside job processes."""
PARENT_TAG = "mlflow.parentRunId"
"""The tag MLflow's UI uses to nest a child run under its parent."""
RESUME_ENV = "PEAK_SWEEP_RESUME"
"""Set by ``peak mlflow resume`` to the parent run id: the sweep reopens that parent and skips the jobs
that already finished."""
JOB_TAG = "peak.sweep_job"
OVERRIDES_JSON_TAG = "peak.overrides_json"
ParentRun = RunHandle | DirectRun
"""A sweep's parent run: written directly when the store allows it (see ``direct_store``)."""
"""The sweep's command-line overrides as a JSON list (exact, whatever spaces or quotes they hold)."""


def process_tags() -> dict[str, str]:
    """``peak.host``/``peak.pid`` of this process: ``peak mlflow recover`` uses them to tell a run whose
    process died (left RUNNING by SIGKILL) from one still working."""
    return {"peak.host": socket.gethostname(), "peak.pid": str(os.getpid())}


def child_tags(job_num: int | None) -> dict[str, str]:
    """Tags that nest a job's run under the current sweep's parent; empty outside a sweep."""
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return {}
    tags = {PARENT_TAG: parent, "peak.sweep_role": "child"}
    if job_num is not None:
        tags[JOB_TAG] = str(job_num)
    return tags


@dataclass(frozen=True)
class SweepTally:
    """What the jobs of one sweep ended as, read back from the store."""

    finished: int
    failed: int
    killed: int
    running: int

    @property
    def total(self) -> int:
        return self.finished + self.failed + self.killed + self.running


def start_parent(
    uri: str, experiment: str, name: str, sweep: Mapping[str, str], tags: Mapping[str, str]
) -> ParentRun:
    """Create the sweep's parent run: ``sweep`` (key → swept values) becomes its params, and its id is
    exported to the job processes. Example: ``start_parent(uri, "peak", "sweep 12-30-01",
    {"strategy.fast": "5,10,20"}, {})``."""
    all_tags = {**tags, **process_tags(), "peak.sweep_role": "parent"}
    handle: ParentRun = (
        create_direct_run(uri, experiment, name, all_tags)
        if usable(uri, experiment)
        else create_run(uri, experiment, name, all_tags)
    )
    handle.log(params={f"sweep.{k}": v for k, v in sweep.items()})
    os.environ[PARENT_ENV] = handle.info.run_id
    return handle


def _children(client: Any, experiment_id: str, parent_id: str) -> list[Any]:
    return list(
        client.search_runs(
            [experiment_id], filter_string=f"tags.`{PARENT_TAG}` = '{parent_id}'", max_results=50_000
        )
    )


def _job_status(runs: list[ChildRow]) -> str:
    """A job tried more than once (killed, then resumed) counts as FINISHED if any try finished, else as
    its latest try."""
    if any(r.status == "FINISHED" for r in runs):
        return "FINISHED"
    return max(runs, key=lambda r: r.start_time).status


def _child_rows(handle: ParentRun) -> list[ChildRow]:
    if isinstance(handle, DirectRun):
        return child_rows(handle, PARENT_TAG, JOB_TAG)
    runs = _children(handle.client, handle.info.experiment_id, handle.info.run_id)
    return [
        ChildRow(r.info.run_id, r.data.tags.get(JOB_TAG), r.info.status, r.info.start_time or 0) for r in runs
    ]


def tally_children(handle: ParentRun) -> SweepTally:
    """Count the parent's jobs by status (one per job number, see ``_job_status``)."""
    by_job: dict[str, list[ChildRow]] = {}
    for row in _child_rows(handle):
        by_job.setdefault(row.job or row.run_id, []).append(row)
    counts = {"FINISHED": 0, "FAILED": 0, "KILLED": 0, "RUNNING": 0}
    for tries in by_job.values():
        status = _job_status(tries)
        counts[status] = counts.get(status, 0) + 1
    return SweepTally(
        counts["FINISHED"], counts["FAILED"], counts["KILLED"], counts["RUNNING"] + counts.get("SCHEDULED", 0)
    )


def finish_parent(
    handle: ParentRun, tally: SweepTally, extra: Mapping[str, MetricValue] | None = None
) -> str:
    """Log the tally and close the parent: FINISHED when every job finished, else FAILED.

    Returns the status.
    """
    metrics: dict[str, MetricValue] = {
        "sweep.jobs": tally.total,
        "sweep.finished": tally.finished,
        "sweep.failed": tally.failed + tally.killed,
        **(extra or {}),
    }
    handle.log(metrics=metrics)
    status = "FINISHED" if tally.failed == tally.killed == tally.running == 0 else "FAILED"
    handle.finish(status)
    os.environ.pop(PARENT_ENV, None)
    return status


def override_tags(overrides: list[str]) -> dict[str, str]:
    """One tag per command-line override, ``peak.override.<key>``, so the UI can filter children by value
    (``tags.`peak.override.strategy.fast` = '10'``)."""
    pairs = (item.split("=", 1) for item in overrides if "=" in item)
    return {f"peak.override.{key.lstrip('+~')}": value for key, value in pairs}


def record_failed_job(
    uri: str, experiment: str, overrides: list[str], job_num: int | None, error: str
) -> str:
    """A FAILED child run for a job that failed before its own run existed (bad data, a config error in
    one combination); the error text becomes ``error.txt``. Returns the run id."""
    tags = {
        **child_tags(job_num),
        **process_tags(),
        **override_tags(overrides),
        "peak.overrides": " ".join(overrides),
    }
    handle = create_run(uri, experiment, None, tags)
    handle.finish("FAILED", error)
    return handle.info.run_id


def reopen_parent(uri: str, run_id: str) -> RunHandle:
    """Reopen a sweep's parent run (RUNNING again, this process's host/pid) for ``peak mlflow resume``.

    Raises ``TrackingError`` when ``run_id`` is not a sweep parent in this store.
    """
    from peak.tracking.mlflow_run import open_run

    handle = open_run(uri, run_id)
    run = handle.client.get_run(run_id)
    if run.data.tags.get("peak.sweep_role") != "parent":
        raise TrackingError(f"run {run_id} is not a sweep's parent run (tag peak.sweep_role=parent)")
    handle.client.update_run(run_id, status="RUNNING")
    handle.log(tags={**process_tags(), "peak.resumed": "true"})
    os.environ[PARENT_ENV] = run_id
    return handle


def finished_job(uri: str, parent_id: str, job_num: int) -> str | None:
    """The id of a FINISHED child run of ``parent_id`` for job ``job_num``, if there is one."""
    from peak.tracking.store import open_client

    client = open_client(uri)
    parent = client.get_run(parent_id)
    for run in _children(client, parent.info.experiment_id, parent_id):
        if run.data.tags.get(JOB_TAG) == str(job_num) and run.info.status == "FINISHED":
            return str(run.info.run_id)
    return None
