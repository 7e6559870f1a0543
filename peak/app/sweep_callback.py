"""The Hydra callback that records a multirun in MLflow: one parent run, one child run per job.

Registered in ``conf/config.yaml`` under ``hydra.callbacks``. ``on_multirun_start`` runs in the main
process before the launcher starts any job, so the store is created and migrated exactly once there
(parallel first-time creation corrupts SQLite stores).
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np
from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from peak.app.paths import project_root
from peak.core.results import MetricValue
from peak.tracking.config import TrackingConfig
from peak.tracking.lineage import code_git_sha, package_version
from peak.tracking.store import resolve_uri
from peak.tracking.sweep import (
    OVERRIDES_JSON_TAG,
    RESUME_ENV,
    ParentRun,
    SweepTally,
    finish_parent,
    reopen_parent,
    start_parent,
    tally_children,
)

log = logging.getLogger("peak")


class SweepState:
    """The open parent run of this process's sweep and how it ended; ``peak-run`` reads it at exit."""

    parent: ParentRun | None = None
    parent_id: str | None = None
    status: str | None = None
    tally: SweepTally | None = None


def _sweep_definition(overrides: list[str]) -> dict[str, str]:
    """``key → value text`` of every command-line override, e.g. ``{"strategy.fast": "5,10,20"}``."""
    pairs = (item.split("=", 1) for item in overrides if "=" in item)
    return {key.lstrip("+~"): value for key, value in pairs}


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    close_parent("KILLED")
    sys.exit(128 + signum)


def close_parent(status: str) -> None:
    """Close a parent still open (the sweep crashed or was terminated) with ``status``."""
    parent = SweepState.parent
    SweepState.parent = None
    if parent is None:
        return
    try:
        SweepState.tally = tally_children(parent)
        parent.log(metrics={"sweep.jobs": SweepState.tally.total})
    except Exception:  # the status matters more than the tally
        log.warning("could not count the sweep's child runs before closing it")
    parent.finish(status)
    SweepState.status = status


def _job_equities(sweep_dir: Path) -> tuple[list[str], list[np.ndarray]]:
    """Each finished job's equity curve, by job number (jobs without ``equity.parquet`` failed)."""
    import pyarrow.parquet as pq  # one column straight to numpy: pandas' reader costs 4 ms a file

    files = sorted(
        sweep_dir.glob("*/equity.parquet"),
        key=lambda f: int(f.parent.name) if f.parent.name.isdigit() else -1,
    )
    return [f.parent.name for f in files], [
        pq.ParquetFile(f).read(columns=["equity"]).column(0).to_numpy() for f in files
    ]


def _overfitting(sweep_dir: Path, parent: ParentRun) -> dict[str, MetricValue]:
    """Deflated Sharpe and PBO over the sweep's jobs as trials; needs at least 2 jobs on the same bars."""
    from peak.research.trials import trial_statistics

    jobs, curves = _job_equities(sweep_dir)
    if len(curves) < 2 or len({c.shape[0] for c in curves}) != 1:
        parent.log(tags={"peak.sweep_overfitting": "not computed: needs 2+ finished jobs on the same bars"})
        return {}
    equity = np.column_stack(curves)
    stats = trial_statistics(np.diff(equity, axis=0) / equity[:-1])
    parent.log(tags={"peak.sweep_best_job": jobs[stats.best], "peak.sweep_overfitting": stats.note or "ok"})
    return {"sweep.trials": stats.n_trials, "sweep.deflated_sharpe": stats.dsr, "sweep.pbo": stats.pbo}


class MlflowSweepCallback(Callback):
    """Parent run per multirun (sweep definition as params), closed with the jobs' tally."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        tracking = TrackingConfig.model_validate(OmegaConf.to_container(config.tracking, resolve=True))
        SweepState.parent, SweepState.status, SweepState.tally = None, None, None
        if not tracking.enabled:
            return
        overrides = list(OmegaConf.to_container(config.hydra.overrides.task, resolve=False) or [])  # type: ignore[arg-type]
        sweep_dir = Path(str(config.hydra.sweep.dir))
        root = project_root()
        tags = {
            "peak.sweep_dir": str(sweep_dir),
            "peak.overrides": " ".join(str(o) for o in overrides),
            "peak.version": package_version(),
            "peak.git_sha": code_git_sha(),
            "mlflow.source.name": "peak-run -m",
        }
        name = tracking.run_name or f"sweep {sweep_dir.parent.name} {sweep_dir.name}"
        uri = resolve_uri(tracking.uri, root)
        # Before the parent exists: a SIGTERM from here on closes whatever parent there is as KILLED.
        signal.signal(signal.SIGTERM, _on_sigterm)
        resume = os.environ.get(RESUME_ENV)
        if resume:  # peak mlflow resume: same parent, finished jobs are skipped by the jobs themselves
            SweepState.parent = reopen_parent(uri, resume)
        else:
            # the exact list, so that a resume relaunches the same sweep whatever quotes it held
            tags[OVERRIDES_JSON_TAG] = json.dumps([str(o) for o in overrides])
            SweepState.parent = start_parent(
                uri, tracking.experiment, name, _sweep_definition(overrides), tags
            )
        SweepState.parent_id = SweepState.parent.info.run_id
        log.info("sweep parent run %s", SweepState.parent_id)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        parent = SweepState.parent
        if parent is None:
            return
        SweepState.parent = None
        tally = tally_children(parent)
        SweepState.tally = tally
        sweep_dir = Path(str(config.hydra.sweep.dir))
        extra = _overfitting(sweep_dir, parent)
        SweepState.status = finish_parent(parent, tally, extra)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _sweep_report(config, parent, sweep_dir)


def _sweep_report(config: DictConfig, parent: ParentRun, sweep_dir: Path) -> None:
    """``report.enabled=true``: the sweep report of the parent run, once every job has ended. A report
    that cannot be built costs the report only; ``peak report sweep <parent>`` can build it later."""
    from peak.app.report_task import write_sweep_report
    from peak.reporting.config import ReportConfig

    report = ReportConfig.model_validate(OmegaConf.to_container(config.report, resolve=True))
    if not report.enabled:
        return
    tracking = TrackingConfig.model_validate(OmegaConf.to_container(config.tracking, resolve=True))
    uri = resolve_uri(tracking.uri, project_root())
    try:
        write_sweep_report(report, uri, parent, sweep_dir)
    except Exception as exc:  # the sweep's runs are recorded; a report failure must not fail the sweep
        log.error("report: no sweep report for parent run %s: %s", parent.info.run_id, exc)
