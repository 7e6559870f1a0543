"""``report.enabled=true``: the run's reports, written at the end of ``peak-run`` into ``<run dir>/reports/``
and logged as MLflow artifacts under ``reports/``.

Every run gets its run report; a research task adds its study's report (robustness, walk-forward,
Monte-Carlo and stress: the robustness report; a grid: the sweep report of its cells). The reports are
built from the run folder and the values being logged, so they never wait on the store. A multirun
(``peak-run -m ... report.enabled=true``) also gets the sweep report of its parent run, written into
``<sweep dir>/reports/`` once every job has ended. A missing PDF toolchain costs the PDF only: the
other formats are written and logged, and the run still finishes.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from peak.core.results import MetricValue

if TYPE_CHECKING:
    from peak.app.config import RunConfig
    from peak.reporting.config import ReportConfig
    from peak.reporting.document import Report
    from peak.reporting.source import RunSource
    from peak.tracking.sweep import ParentRun
    from peak.tracking.tracked import TrackedRun

log = logging.getLogger("peak")

REPORTS_DIR = "reports"


def _reports(source: RunSource) -> list[Report]:
    from peak.reporting.reports import STUDY_TASKS
    from peak.reporting.run_report import build_run_report

    reports = [build_run_report(source)]
    if source.task in STUDY_TASKS:
        from peak.reporting.robustness_report import build_robustness_report

        reports.append(build_robustness_report(source))
    elif source.task == "grid":
        from peak.reporting.sweep_report import build_sweep_report
        from peak.reporting.trials import grid_trials

        reports.append(build_sweep_report(source, grid_trials(source)))
    return reports


def write_run_reports(
    cfg: RunConfig,
    run: TrackedRun | None,
    name: str,
    run_dir: Path,
    params: Mapping[str, str],
    metrics: Mapping[str, MetricValue],
    tags: Mapping[str, str],
) -> list[Path]:
    """Write the reports of the run ``name`` in ``run_dir`` when ``cfg.report.enabled`` and log them with
    ``run`` (None with tracking off: the files are only written). Returns the files written."""
    if not cfg.report.enabled:
        return []
    from peak.reporting.source import folder_source
    from peak.reporting.write import write_report

    run_id = run.info.run_id if run is not None else "untracked"
    floats = {k: float(v) for k, v in metrics.items() if v is not None and not math.isnan(float(v))}
    source = folder_source(run_dir, run_id, cfg.tracking.experiment, name, params, floats, tags)
    out = run_dir / REPORTS_DIR
    written: list[Path] = []
    for report in _reports(source):
        written += _tolerating_pdf(partial(write_report, report, cfg.report.formats, out))
    return _logged(run, out, written)


def write_sweep_report(report: ReportConfig, uri: str, parent: ParentRun, sweep_dir: Path) -> list[Path]:
    """Write the sweep report of the finished multirun ``parent`` into ``<sweep_dir>/reports/`` when
    ``report.enabled`` and log it with the parent run. Returns the files written."""
    if not report.enabled:
        return []
    from peak.reporting.reports import report_sweep

    out = sweep_dir / REPORTS_DIR
    written = _tolerating_pdf(partial(report_sweep, uri, parent.info.run_id, report.formats, out))
    return _logged(parent, out, written)


def _tolerating_pdf(write: Callable[[], list[Path]]) -> list[Path]:
    """The files ``write`` wrote; without the PDF toolchain, those written before the PDF was refused."""
    from peak.reporting.pdf import PdfUnavailableError

    try:
        return write()
    except PdfUnavailableError as exc:
        log.warning("report: %s", exc)
        return list(exc.written)


def _logged(run: TrackedRun | ParentRun | None, out: Path, written: list[Path]) -> list[Path]:
    if run is not None and written:
        run.log_artifacts(out, REPORTS_DIR)
    for path in written:
        log.info("report: wrote %s", path)
    return written
