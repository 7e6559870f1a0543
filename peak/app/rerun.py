"""``peak rerun <run id>``: run a tracked run again from its logged config and compare every metric exactly.

The config is the run's own ``.hydra/config.yaml`` (the composed config Hydra saved and ``peak-run``
logged), validated with :func:`peak.app.config.validate_run_config` and run through
:func:`peak.app.backtest_task.run_backtest_task`, the function ``peak-run`` calls, with the run's exact
overrides. Using the logged config rather than recomposing ``conf/`` makes the rerun independent of later
edits to ``conf/``; a changed default in the config models shows up as a config hash mismatch instead.

The rerun is itself tracked (``--no-track`` to skip it): a run in the same experiment, not nested under any
sweep, tagged ``peak.rerun_of=<original id>``, with ``rerun.json`` (this report) among its artifacts, so a
reviewer can open both side by side in the MLflow UI. Its folder is ``experiments/reruns/<date>/<time>_<id>``.

Verdict: reproducible when every metric matches bit for bit (see :mod:`peak.tracking.compare`) and the data
fingerprint is unchanged. A different git SHA, config hash or Peak version is a warning only: reproducing a
run on newer code is the point of a rerun, and the metrics say whether it still holds.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from peak.app.config import RunConfig, validate_run_config
from peak.app.paths import project_root, register_resolvers
from peak.app.rerun_report import REPRODUCIBLE_TAG, LineageCheck, RerunReport, report_payload, summary_line
from peak.core.errors import ConfigError
from peak.tracking.compare import (
    MetricCheck,
    Source,
    as_stored,
    compare_metrics,
    is_wall_clock,
    parse_metrics_json,
)
from peak.tracking.config import TrackingConfig
from peak.tracking.lineage import code_git_sha, package_version
from peak.tracking.logged_run import CONFIG_ARTIFACT, LoggedRun
from peak.tracking.run_dir import write_json

if TYPE_CHECKING:
    from peak.app.backtest_task import BacktestOutcome

REPORT_ARTIFACT = "rerun.json"
"""The report, in the rerun's folder and among the rerun run's artifacts."""


def _refuse_unless_rerunnable(run: LoggedRun) -> None:
    if run.tags.get("peak.sweep_role") == "parent" or (run.children and run.config_yaml is None):
        raise ConfigError(
            f"run {run.run_id} is the parent of a sweep ({run.children} jobs); rerun one of its jobs: "
            f"filter the experiment with tags.mlflow.parentRunId = '{run.run_id}' and pass a child's id"
        )
    if run.status != "FINISHED":
        raise ConfigError(
            f"run {run.run_id} is {run.status}; only FINISHED runs can be rerun and compared "
            "(allowed status: FINISHED)"
        )
    if run.config_yaml is None:
        raise ConfigError(
            f"run {run.run_id} has no logged config ({CONFIG_ARTIFACT} among its artifacts); "
            "only runs made by peak-run can be rerun"
        )


def logged_config(run: LoggedRun) -> RunConfig:
    """The run's logged ``.hydra/config.yaml``, resolved and validated exactly as ``peak-run`` would.

    Raises ``ConfigError`` naming the run when the config no longer validates (e.g. a key was renamed).
    """
    from omegaconf import DictConfig, OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    from peak.app.hydra_compose import to_plain

    register_resolvers()  # ${peak_root:} in a logged config means this project's folder
    try:
        composed = OmegaConf.create(run.config_yaml or "")
    except (OmegaConfBaseException, yaml.YAMLError) as exc:
        raise ConfigError(f"run {run.run_id}: cannot read its {CONFIG_ARTIFACT}: {exc}") from exc
    if not isinstance(composed, DictConfig):
        raise ConfigError(f"run {run.run_id}: its {CONFIG_ARTIFACT} is not a mapping")
    try:
        return validate_run_config(to_plain(composed))
    except ConfigError as exc:
        raise ConfigError(f"run {run.run_id}: its logged config no longer validates: {exc}") from exc


def logged_overrides(run: LoggedRun) -> list[str]:
    """The run's overrides from ``.hydra/overrides.yaml``, else from the ``peak.overrides`` tag."""
    if run.overrides_yaml is not None:
        items = yaml.safe_load(run.overrides_yaml) or []
        if isinstance(items, list):
            return [str(item) for item in items]
    return run.tags.get("peak.overrides", "").split()


def _rerun_dir(run_id: str, now: datetime.datetime) -> Path:
    local = now.astimezone()  # named in local time, like peak-run's folders
    day, clock = local.strftime("%Y-%m-%d"), local.strftime("%H-%M-%S-%f")
    return project_root() / "experiments" / "reruns" / day / f"{clock}_{run_id[:8]}"


def _prepare_dir(run_dir: Path, run: LoggedRun, overrides: Sequence[str]) -> None:
    """The rerun's folder starts like a peak-run folder, so the rerun can itself be rerun."""
    hydra = run_dir / ".hydra"
    hydra.mkdir(parents=True, exist_ok=True)
    (hydra / "config.yaml").write_text(run.config_yaml or "", encoding="utf-8")
    text = run.overrides_yaml if run.overrides_yaml is not None else yaml.safe_dump(list(overrides))
    (hydra / "overrides.yaml").write_text(text, encoding="utf-8")


def _logged_metrics(outcome: BacktestOutcome) -> dict[str, Any]:
    # Exactly what run_backtest_task logs; tests check it against the tracked rerun's stored metrics.
    from peak.tracking.run_dir import flat_run_metrics

    return {**flat_run_metrics(outcome.result), **outcome.study}


def _metric_checks(
    run: LoggedRun, outcome: BacktestOutcome, run_dir: Path
) -> tuple[list[MetricCheck], tuple[str, ...], list[str]]:
    fresh = as_stored(_logged_metrics(outcome))
    sources: list[tuple[Source, Mapping[str, float | None], Mapping[str, float | None]]] = [
        ("mlflow", run.metrics, fresh)
    ]
    notes = []
    if run.metrics_json is None:
        notes.append(f"run {run.run_id} has no metrics.json artifact; only its MLflow metrics are compared")
    else:
        rerun_json = parse_metrics_json((run_dir / "metrics.json").read_text(encoding="utf-8"))
        sources.append(("metrics.json", parse_metrics_json(run.metrics_json), rerun_json))
    names = {name for _, a, b in sources for name in (*a, *b)}
    skipped = tuple(sorted(name for name in names if is_wall_clock(name)))
    checks = [
        check
        for source, original, rerun in sources
        for check in compare_metrics(original, rerun, source, skip=skipped)
    ]
    return checks, skipped, notes


def _lineage(run: LoggedRun, outcome: BacktestOutcome) -> tuple[LineageCheck, ...]:
    now = {
        "peak.data_fingerprint": outcome.lineage["peak.data_fingerprint"],
        "peak.git_sha": code_git_sha(),
        "peak.config_hash": outcome.lineage["peak.config_hash"],
        "peak.version": package_version(),
    }
    names = {
        "peak.data_fingerprint": "data fingerprint",
        "peak.git_sha": "git SHA",
        "peak.config_hash": "config hash",
        "peak.version": "Peak version",
    }
    checks = []
    for tag, current in now.items():
        before = run.tags.get(tag, "")
        checks.append(
            LineageCheck(
                name=names[tag],
                tag=tag,
                original=before or "(not recorded)",
                rerun=current,
                matches=before == current,
                decisive=tag == "peak.data_fingerprint",
            )
        )
    return tuple(checks)


_WHY = {
    "peak.data_fingerprint": "the data the config names has changed since the run (a different file, "
    "edited bars or another period), so the rerun did not see the same bars",
    "peak.git_sha": "the rerun used the code of the current checkout",
    "peak.config_hash": "the logged config validates differently with today's code (changed defaults "
    "or a renamed key)",
    "peak.version": "the rerun used a different Peak release",
}


def _warnings(lineage: Sequence[LineageCheck], source: str) -> list[str]:
    out = []
    for check in lineage:
        if not check.matches:
            where = f" ({source})" if check.tag == "peak.data_fingerprint" else ""
            out.append(
                f"{check.name} mismatch: the run recorded {check.original}, the rerun has {check.rerun}"
                f"{where}; {_WHY[check.tag]}"
            )
    sha = next(c for c in lineage if c.tag == "peak.git_sha")
    if sha.matches and sha.rerun == "unknown":
        out.append(
            "git SHA unknown on both sides (the project folder is not a git checkout); the code "
            "version cannot be compared"
        )
    elif sha.matches and sha.rerun.endswith("-dirty"):
        out.append(f"git SHA {sha.rerun}: uncommitted changes are not covered by the SHA and may differ")
    return out


def _mark(uri: str, report: RerunReport) -> None:
    from peak.tracking.logged_run import attach_json, tag_run

    verdict = "true" if report.reproducible else "false"
    by = report.rerun_id or f"untracked rerun at {report.checked_at} in {report.rerun_dir}"
    current_sha = next(c.rerun for c in report.lineage if c.tag == "peak.git_sha")
    tag_run(
        uri,
        report.run_id,
        {
            REPRODUCIBLE_TAG: verdict,
            "peak.reproduced_by": by,
            "peak.reproduced_at": report.checked_at,
            "peak.reproduced_git_sha": current_sha,
            "peak.reproduce_summary": summary_line(report),
        },
    )
    if report.rerun_id is not None:
        tag_run(uri, report.rerun_id, {"peak.rerun_of": report.run_id, "peak.rerun_matches": verdict})
        attach_json(uri, report.rerun_id, report_payload(report), REPORT_ARTIFACT)


def _report(run: LoggedRun, outcome: BacktestOutcome, run_dir: Path, now: datetime.datetime) -> RerunReport:
    checks, skipped, notes = _metric_checks(run, outcome, run_dir)
    lineage = _lineage(run, outcome)
    mismatches = tuple(c for c in checks if not c.matches)
    per_source: dict[str, int] = {}
    for check in checks:
        per_source[check.source] = per_source.get(check.source, 0) + 1
    return RerunReport(
        run_id=run.run_id,
        run_name=run.name,
        experiment=run.experiment,
        task=outcome.lineage["peak.task"],
        rerun_id=outcome.run_id,
        rerun_dir=str(run_dir),
        checked_at=now.isoformat(timespec="seconds"),
        reproducible=not mismatches and all(c.matches for c in lineage if c.decisive),
        compared=len({c.name for c in checks}),
        per_source=per_source,
        mismatches=mismatches,
        not_compared=skipped,
        lineage=lineage,
        warnings=(*_warnings(lineage, outcome.lineage.get("peak.data_source", "")), *notes),
    )


def rerun_run(run_id: str, *, uri: str | None = None, track: bool = True) -> RerunReport:
    """Rerun the tracked run ``run_id`` from its logged config, compare, tag the original and return the
    report. Example: ``rerun_run("3f2a9c...").reproducible``.

    Raises ``TrackingError`` when the run is not in the store, ``ConfigError`` when it cannot be rerun (a
    sweep parent, not FINISHED, no logged config) and whatever the run itself raises (e.g. ``DataError``
    when its data file is gone).
    """
    from peak.app.backtest_task import run_backtest_task
    from peak.tracking.logged_run import read_logged_run
    from peak.tracking.store import resolve_uri
    from peak.tracking.sweep import PARENT_ENV

    store = resolve_uri(uri, project_root())
    run = read_logged_run(store, run_id)
    _refuse_unless_rerunnable(run)
    cfg = logged_config(run)
    name = f"rerun of {run.name or run_id}"[:250]
    tracking = TrackingConfig(enabled=track, uri=store, experiment=run.experiment, run_name=name)
    cfg = cfg.model_copy(update={"tracking": tracking})
    overrides = logged_overrides(run)
    now = datetime.datetime.now(datetime.UTC)
    run_dir = _rerun_dir(run_id, now)
    _prepare_dir(run_dir, run, overrides)
    # A rerun is never a job of a sweep, even when started from inside one's environment.
    os.environ.pop(PARENT_ENV, None)
    outcome = run_backtest_task(cfg, run_dir, overrides)
    report = _report(run, outcome, run_dir, now)
    write_json(run_dir / REPORT_ARTIFACT, report_payload(report))
    _mark(store, report)
    return report
