"""``task=monte_carlo``: resample the finished backtest and record the distribution next to it."""

from __future__ import annotations

from pathlib import Path

from peak.app.study import StudyOutput
from peak.app.task_config import MonteCarloTask
from peak.core.errors import ConfigError
from peak.core.results import MetricValue, RunResult
from peak.core.timeframe import Timeframe
from peak.research.monte_carlo import MetricDistribution, MonteCarloConfig, MonteCarloReport, run_monte_carlo
from peak.tracking.run_dir import write_json

_METRICS = ("final_return", "max_drawdown", "sharpe")


def _label(p: float) -> str:
    return f"p{p:g}".replace(".", "_")


def _distribution_json(d: MetricDistribution) -> dict[str, object]:
    return {
        "original": d.original,
        "mean": d.mean,
        "std": d.std,
        "percentiles": dict(zip((_label(p) for p in d.percentiles), d.values, strict=True)),
    }


def report_json(report: MonteCarloReport) -> dict[str, object]:
    """The report as strict-JSON data: settings, each metric's distribution, ruin and the fan chart."""
    return {
        "method": report.method,
        "paths": report.paths,
        "seed": report.seed,
        "block_size": report.block_size,
        **{name: _distribution_json(getattr(report, name)) for name in _METRICS},
        "ruin_probability": report.ruin_probability,
        "original_ruined": report.original_ruined,
        "fan": {
            "axis": report.fan_axis,
            "steps": [int(s) for s in report.fan_steps],
            "percentiles": list(report.fan_percentiles),
            "equity": [[float(v) for v in row] for row in report.fan],
        },
    }


def report_metrics(report: MonteCarloReport) -> dict[str, MetricValue]:
    """``mc.<metric>.p<k>`` for every percentile, plus ``mc.ruin_probability``, e.g. ``mc.sharpe.p5``."""
    out: dict[str, MetricValue] = {"mc.ruin_probability": report.ruin_probability}
    for name in _METRICS:
        dist: MetricDistribution = getattr(report, name)
        out.update({f"mc.{name}.{_label(p)}": v for p, v in zip(dist.percentiles, dist.values, strict=True)})
    return out


def monte_carlo_metric_names(task: MonteCarloConfig) -> list[str]:
    """Every metric name ``report_metrics`` produces for ``task`` (the gate checks against these)."""
    names = ["mc.ruin_probability"]
    for name in _METRICS:
        names += [f"mc.{name}.{_label(p)}" for p in task.percentiles]
    return names


def check_study(task: MonteCarloTask, weighted: bool) -> None:
    """Refuse, before any work, a study that does not fit the run."""
    if weighted and task.method == "trade_reshuffle":
        raise ConfigError(
            "task.method=trade_reshuffle compounds trade returns as if each trade held the whole account, "
            "which a portfolio's sleeves do not; use block_bootstrap or iid_bootstrap for portfolio=weighted"
        )


def _fmt(name: str, value: MetricValue) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2%}" if name != "sharpe" else f"{value:.4f}"


def summary_line(metrics: dict[str, MetricValue]) -> str:
    """``monte carlo: final_return p5/p50/p95=... ruin=0.4%`` from the ``mc.*`` metrics."""
    parts = []
    for name in _METRICS:
        lo, mid, hi = (metrics.get(f"mc.{name}.p{p}") for p in (5, 50, 95))
        parts.append(f"{name} p5/p50/p95={_fmt(name, lo)}/{_fmt(name, mid)}/{_fmt(name, hi)}")
    ruin = metrics.get("mc.ruin_probability")
    return f"monte carlo: {'  '.join(parts)}  ruin={ruin:.1%}" if ruin is not None else "monte carlo: n/a"


def monte_carlo_study(task: MonteCarloTask, result: RunResult, run_dir: Path) -> StudyOutput:
    """Run the study on the account-level result, write ``monte_carlo.json``, return the metrics to log."""
    bars_per_year = Timeframe.parse(result.timeframe).bars_per_year
    report = run_monte_carlo(result.backtest, bars_per_year, task.study())
    write_json(run_dir / "monte_carlo.json", report_json(report))
    metrics = report_metrics(report)
    return StudyOutput(metrics, {}, (summary_line(metrics),))
