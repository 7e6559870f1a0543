"""``task=grid``: the in-process grid on the run's bars; the run then backtests the best cell, so the MLflow
run's strategy params, metrics and equity are those of the winner, with the grid's table beside them."""

from __future__ import annotations

import csv
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from peak.app.study import StudyOutput, fmt_params
from peak.app.task_config import GridTask
from peak.core.bars import Bars
from peak.core.errors import ConfigError
from peak.core.results import MetricValue
from peak.metrics.summary import METRIC_NAMES
from peak.research.grid import Book, GridReport, GridRow, run_grid
from peak.research.grid_presets import PRESETS
from peak.research.grid_spec import Axis, build_strategy, parse_axes
from peak.tracking.run_dir import json_safe_metrics, write_json

log = logging.getLogger("peak")

TOP_METRICS = ("sharpe", "total_return", "max_drawdown", "n_trades")
"""Metrics logged for each of the top cells (plus the objective)."""


def grid_axes(grid: Mapping[str, Any] | None, strategy: Any, key: str) -> tuple[Axis, ...]:
    """Axes of ``grid``, or of the strategy's preset when it is empty; ``key`` names the config path."""
    spec = grid or PRESETS.get(strategy.name, {})
    if not spec:
        raise ConfigError(f"{key} is empty and strategy {strategy.name!r} has no preset grid; set {key}")
    return parse_axes(spec, list(type(strategy).model_fields), key)


class _Table:
    """results.csv, one line per evaluated cell, written as the grid streams (nothing is held)."""

    def __init__(self, path: Path, axes: tuple[Axis, ...]) -> None:
        self._file = path.open("w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        self._names = [a.name for a in axes]
        self._writer.writerow(["cell", *self._names, *METRIC_NAMES])

    def write(self, row: GridRow) -> None:
        values = ["" if row.metrics[m] is None else repr(row.metrics[m]) for m in METRIC_NAMES]
        self._writer.writerow([row.index, *(row.params[n] for n in self._names), *values])

    def close(self) -> None:
        self._file.close()


def _heatmap(report: GridReport, path: Path) -> None:
    heat = report.heat
    if heat is None:
        return
    import matplotlib

    matplotlib.use("Agg")  # no display: render straight to PNG
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1.6 + 0.35 * len(heat.x.values), 1.4 + 0.3 * len(heat.y.values)))
    image = ax.imshow(heat.values, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(heat.x.values)), [str(v) for v in heat.x.values], rotation=90)
    ax.set_yticks(range(len(heat.y.values)), [str(v) for v in heat.y.values])
    ax.set_xlabel(heat.x.name)
    ax.set_ylabel(heat.y.name)
    ax.set_title(f"best {report.objective} per ({heat.x.name}, {heat.y.name})")
    fig.colorbar(image, ax=ax, label=report.objective)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _metrics(report: GridReport) -> dict[str, MetricValue]:
    out: dict[str, MetricValue] = {
        "grid.cells": report.cells,
        "grid.evaluated": report.evaluated,
        "grid.skipped": report.skipped,
        "grid.cells_per_second": report.cells_per_second,
        "grid.deflated_sharpe": report.dsr,
        "grid.pbo": report.pbo,
    }
    for rank, row in enumerate(report.top, start=1):
        for name in dict.fromkeys((report.objective, *TOP_METRICS)):
            out[f"grid.top{rank}.{name}"] = row.metrics[name]
    return out


def _summary(report: GridReport) -> dict[str, object]:
    return {
        "axes": {a.name: list(a.values) for a in report.axes},
        "objective": report.objective,
        "cells": report.cells,
        "evaluated": report.evaluated,
        "skipped": report.skipped,
        "skipped_reason": report.skipped_reason,
        "seconds": report.seconds,
        "path": report.path,
        "shared_indicator_cells": report.shared_indicators,
        "deflated_sharpe": report.dsr,
        "pbo": report.pbo,
        "note": report.note,
        "top": [
            {"cell": r.index, "params": dict(r.params), "metrics": json_safe_metrics(r.metrics)}
            for r in report.top
        ],
    }


def _line(report: GridReport) -> str:
    best = report.top[0]
    value = best.metrics[report.objective]
    shown = "n/a" if value is None else f"{value:.4g}"
    dsr = "n/a" if report.dsr is None else f"{report.dsr:.3f}"
    pbo = "n/a" if report.pbo is None else f"{report.pbo:.3f}"
    rate = report.cells_per_second
    return (
        f"grid: {report.evaluated:,} cells ({report.skipped:,} skipped) in {report.seconds:.2f} s "
        f"({rate:,.0f} cells/s after the first); best by {report.objective}: "
        f"{fmt_params(best.params)} ({shown}); deflated Sharpe {dsr}, PBO {pbo}"
    )


def grid_search(
    task: GridTask, bars: Bars, strategy: Any, book: Book, run_dir: Path
) -> tuple[Any, StudyOutput]:
    """Run the grid, write results.csv, top.csv, grid.json and heatmap.png; return the best cell's
    strategy and the grid's metrics, tags and summary line."""
    axes = grid_axes(task.grid, strategy, "task.grid")
    run_dir.mkdir(parents=True, exist_ok=True)
    table = _Table(run_dir / "results.csv", axes)
    try:
        report = run_grid(
            bars,
            strategy.model_dump(mode="json"),
            axes,
            book,
            objective=task.optimize,
            top_k=task.top_k,
            workers=task.workers,
            on_row=table.write,
        )
    finally:
        table.close()
    if report.skipped:
        log.info("grid: %d cells rejected, e.g. %s", report.skipped, report.skipped_reason)
    top = _Table(run_dir / "top.csv", axes)
    for row in report.top:
        top.write(row)
    top.close()
    write_json(run_dir / "grid.json", _summary(report))
    _heatmap(report, run_dir / "heatmap.png")
    best = report.top[0]
    tags = {"peak.grid_best": fmt_params(best.params), "peak.grid_objective": report.objective}
    metrics = {k: v for k, v in _metrics(report).items() if not (isinstance(v, float) and math.isnan(v))}
    chosen = build_strategy(strategy.model_dump(mode="json"), best.params)
    return chosen, StudyOutput(metrics, tags, (_line(report),))
