"""``task=robustness``: walk-forward, Monte-Carlo and stress on the configured run, then the Go/No-Go gate.
The verdict is a tag (``peak.verdict``) and gate.json explains it criterion by criterion."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from peak.app.config import RunConfig
from peak.app.monte_carlo_task import check_study, monte_carlo_metric_names, monte_carlo_study
from peak.app.stress_task import stress_study
from peak.app.study import StudyOutput
from peak.app.task_config import RobustnessTask
from peak.app.walk_forward_task import check_walk_forward, walk_forward_metric_names, walk_forward_study
from peak.backtest.portfolio_config import WeightedPortfolioConfig
from peak.core.errors import ConfigError
from peak.metrics.summary import METRIC_NAMES
from peak.registry.gate import GateConfig, GateReport, evaluate_gate
from peak.research.grid import Book
from peak.research.stress import IMPACT_METRICS
from peak.tracking.run_dir import write_json

if TYPE_CHECKING:
    from peak.app.backtest_task import Simulated


def _stress_metric_names(task: RobustnessTask) -> list[str]:
    names = ["stress.worst.max_drawdown", "stress.worst.total_return"]
    for scenario in task.stress.scenarios:
        for m in IMPACT_METRICS:
            names += [f"stress.{scenario}.{m}", f"stress.{scenario}.delta_{m}"]
    return names


def check_robustness(cfg: RunConfig, task: RobustnessTask) -> None:
    """Before any work: real data only, sub-studies that fit the portfolio, gate metrics that exist."""
    if getattr(cfg.data, "source", None) == "synthetic":
        raise ConfigError(
            "task=robustness judges real market data and never runs on data=synthetic; "
            "choose data=sample, data=csv or data=parquet"
        )
    weighted = isinstance(cfg.portfolio, WeightedPortfolioConfig)
    check_walk_forward(task.walk_forward, weighted, key="task.walk_forward")
    check_study(task.monte_carlo, weighted)
    produced = [
        *METRIC_NAMES,
        *walk_forward_metric_names(task.walk_forward),
        *monte_carlo_metric_names(task.monte_carlo),
        *_stress_metric_names(task),
    ]
    cfg.gate.check_metrics(produced)


def _gate_json(report: GateReport, gate: GateConfig) -> dict[str, object]:
    return {
        "gate": report.gate,
        "verdict": report.verdict,
        "criteria": [
            {
                "name": r.name,
                "metric": r.criterion.metric,
                "min": r.criterion.min,
                "max": r.criterion.max,
                "value": r.value,
                "passed": r.passed,
                "why": r.criterion.why,
                "explanation": r.explain(),
            }
            for r in report.results
        ],
    }


def robustness_study(task: RobustnessTask, cfg: RunConfig, sim: Simulated, run_dir: Path) -> StudyOutput:
    """The three studies, then the gate over the union of their metrics and the run's own."""
    single = not isinstance(cfg.portfolio, WeightedPortfolioConfig)
    bars = next(iter(sim.bars.values())) if single else None
    book = Book(cfg.execution, cfg.portfolio, cfg.risk) if single else None  # type: ignore[arg-type]
    out = walk_forward_study(task.walk_forward, sim.result, bars, cfg.strategy, book, run_dir)
    out = out.merged(monte_carlo_study(task.monte_carlo, sim.result, run_dir))
    out = out.merged(stress_study(task.stress.study(), cfg, sim.bars, sim.result, run_dir))
    evidence = {**sim.result.metrics, **out.metrics}
    report = evaluate_gate(cfg.gate, evidence)
    write_json(run_dir / "gate.json", _gate_json(report, cfg.gate))
    failed = len(report.failed)
    passed = len(report.results) - failed
    head = f"gate {report.gate}: {report.verdict} ({passed} of {len(report.results)} passed)"
    metrics = {"gate.go": 1 if report.verdict == "GO" else 0}
    metrics.update({f"gate.{r.name}.pass": 1 if r.passed else 0 for r in report.results})
    tags = {"peak.verdict": report.verdict, "peak.gate": report.gate}
    lines = (head, *(f"  {r.explain()}" for r in report.results))
    return out.merged(StudyOutput(metrics, tags, lines))
