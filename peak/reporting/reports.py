"""Build and write the reports of a run id: ``report_run``, ``report_sweep`` and ``report_robustness``.

Example: ``report_run("sqlite:///mlruns/mlflow.db", "0189...", ("html", "pdf"), Path("reports"))`` →
``[reports/run_0189....html, reports/run_0189....pdf]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from peak.core.errors import ConfigError
from peak.reporting.config import Format
from peak.reporting.run_report import build_run_report
from peak.reporting.source import RunSource, load_run
from peak.reporting.write import write_report

STUDY_TASKS = ("robustness", "walk_forward", "monte_carlo", "stress")
"""Tasks whose runs have a robustness report (a single-study run shows the sections it has)."""


def report_run(uri: str, run_id: str, formats: Sequence[Format], out_dir: Path) -> list[Path]:
    """The run report of one backtest or portfolio run (any task but a sweep's parent)."""
    source = load_run(uri, run_id)
    if source.task == "sweep":
        raise ConfigError(
            f"run {run_id} is a sweep's parent run, which has no equity of its own; "
            f"use peak report sweep {run_id}"
        )
    return write_report(build_run_report(source), formats, out_dir)


def report_sweep(
    uri: str, run_id: str, formats: Sequence[Format], out_dir: Path, metric: str = "sharpe"
) -> list[Path]:
    """The sweep report of a multirun's parent run or of a ``task=grid`` run, ranked by ``metric``."""
    from peak.reporting.sweep_report import build_sweep_report
    from peak.reporting.trials import load_trials

    source = load_run(uri, run_id)
    trials = load_trials(uri, source)
    return write_report(build_sweep_report(source, trials, metric), formats, out_dir)


def report_robustness(uri: str, run_id: str, formats: Sequence[Format], out_dir: Path) -> list[Path]:
    """The robustness report of a ``task=robustness`` run (or a walk-forward, Monte-Carlo or stress run)."""
    from peak.reporting.robustness_report import build_robustness_report

    source = load_run(uri, run_id)
    check_study(source)
    return write_report(build_robustness_report(source), formats, out_dir)


def check_study(source: RunSource) -> None:
    """Refuse a run that has no robustness study, naming its task and the tasks that do."""
    if source.task not in STUDY_TASKS:
        raise ConfigError(
            f"run {source.run_id} is a task={source.task} run, not a robustness study "
            f"(task={', '.join(STUDY_TASKS)}); use peak report run {source.run_id}"
            + (f" or peak report sweep {source.run_id}" if source.task in ("sweep", "grid") else "")
        )
