"""``task=walk_forward`` (and the walk-forward part of ``task=robustness``): folds, stitched OOS curve,
efficiency and parameter stability, written to walk_forward.json and logged as ``wf.*`` metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from peak.app.grid_task import grid_axes
from peak.app.study import StudyOutput, fmt_params, prefixed
from peak.app.task_config import WalkForwardTask
from peak.core.bars import Bars
from peak.core.errors import ConfigError
from peak.core.results import MetricValue, RunResult
from peak.core.timeframe import Timeframe
from peak.data.timestamps import iso
from peak.metrics.summary import METRIC_NAMES
from peak.research.grid import Book
from peak.research.walk_forward import WalkForwardReport, walk_forward_fixed, walk_forward_optimise
from peak.tracking.run_dir import json_safe_metrics, write_json

FOLD_METRICS = ("sharpe", "total_return", "max_drawdown", "n_trades")
"""Per-fold metrics logged as ``wf.fold<i>.is.<m>`` / ``wf.fold<i>.oos.<m>``."""


def walk_forward_metric_names(task: WalkForwardTask) -> list[str]:
    """Every ``wf.*`` metric a study with ``task`` produces except the per-parameter stability ones."""
    names = ["wf.folds", "wf.efficiency", *(f"wf.oos.{m}" for m in METRIC_NAMES)]
    for i in range(task.folds):
        names += [f"wf.fold{i}.{part}.{m}" for part in ("is", "oos") for m in FOLD_METRICS]
    return names


def check_walk_forward(task: WalkForwardTask, weighted: bool, key: str = "task") -> None:
    """Refuse before any work what a portfolio cannot do: per-fold optimisation needs a single book."""
    if weighted and task.fixed is False:
        raise ConfigError(
            f"{key}.fixed=false re-optimises one strategy per fold; a weighted portfolio runs "
            f"{key}.fixed=true (its configured sleeves cut into windows)"
        )
    if (task.fixed or weighted) and task.grid:
        raise ConfigError(f"{key}.grid is only used when {key}.fixed=false")


def _json(report: WalkForwardReport) -> dict[str, object]:
    return {
        "mode": report.mode,
        "scheme": report.scheme,
        "efficiency": report.efficiency,
        "oos": json_safe_metrics(report.oos_metrics),
        "stability": {k: dict(v) for k, v in report.stability.items()},
        "folds": [
            {
                "fold": f.window.index,
                "in_sample_start": iso(f.is_start_ts),
                "out_of_sample_start": iso(f.oos_start_ts),
                "out_of_sample_end": iso(f.oos_end_ts),
                "in_sample_bars": f.window.is_stop - f.window.is_start,
                "out_of_sample_bars": f.window.oos_stop - f.window.is_stop,
                "params": dict(f.params),
                "in_sample_metrics": json_safe_metrics(f.in_sample),
                "out_of_sample_metrics": json_safe_metrics(f.out_of_sample),
            }
            for f in report.folds
        ],
    }


def _metrics(report: WalkForwardReport) -> dict[str, MetricValue]:
    out: dict[str, MetricValue] = {"wf.folds": len(report.folds), "wf.efficiency": report.efficiency}
    out.update(prefixed("wf.oos", report.oos_metrics))
    for f in report.folds:
        for m in FOLD_METRICS:
            out[f"wf.fold{f.window.index}.is.{m}"] = f.in_sample.get(m)
            out[f"wf.fold{f.window.index}.oos.{m}"] = f.out_of_sample.get(m)
    for name, stats in report.stability.items():
        out.update(prefixed(f"wf.param.{name}", stats))
    return out


def _line(report: WalkForwardReport) -> str:
    oos = report.oos_metrics
    sharpe = oos.get("sharpe")
    eff = "n/a" if report.efficiency is None else f"{report.efficiency:.2f}"
    shown = "n/a" if sharpe is None else f"{sharpe:.3f}"
    total = oos.get("total_return")
    ret = "n/a" if total is None else f"{total:.2%}"
    chosen = "; ".join(f"fold {f.window.index}: {fmt_params(f.params)}" for f in report.folds if f.params)
    return (
        f"walk-forward ({report.scheme}, {len(report.folds)} folds, {report.mode}): "
        f"out-of-sample sharpe={shown} total_return={ret} efficiency={eff}"
    ) + (f"\n  chosen: {chosen}" if chosen else "")


def walk_forward_study(
    task: WalkForwardTask,
    result: RunResult,
    bars: Bars | None,
    strategy: Any,
    book: Book | None,
    run_dir: Path,
) -> StudyOutput:
    """Fixed windows of ``result``, or per-fold optimisation on ``bars`` (a single book: ``bars`` and
    ``book`` set)."""
    if task.fixed or bars is None or book is None:
        report = walk_forward_fixed(result.backtest, Timeframe.parse(result.timeframe), task.study())
    else:
        axes = grid_axes(task.grid, strategy, "task.grid")
        report = walk_forward_optimise(
            bars, strategy.model_dump(mode="json"), axes, book, task.study(), workers=task.workers
        )
    write_json(run_dir / "walk_forward.json", _json(report))
    frame = report.oos.equity_frame()
    frame.to_parquet(run_dir / "walk_forward_oos.parquet", index=False)
    return StudyOutput(_metrics(report), {"peak.wf_mode": report.mode}, (_line(report),))
