"""Dispatch from ``task`` to its study: the checks made before any work and the work after the backtest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from peak.app.config import RunConfig
from peak.app.study import StudyOutput
from peak.app.task_config import GridTask, MonteCarloTask, RobustnessTask, StressTask, WalkForwardTask
from peak.backtest.portfolio_config import WeightedPortfolioConfig
from peak.core.errors import ConfigError

if TYPE_CHECKING:
    from peak.app.backtest_task import Simulated


def check_task(cfg: RunConfig) -> None:
    """Refuse, before loading any data, a task that cannot run on this configuration."""
    weighted = isinstance(cfg.portfolio, WeightedPortfolioConfig)
    task = cfg.task
    if isinstance(task, MonteCarloTask):
        from peak.app.monte_carlo_task import check_study

        check_study(task, weighted)
    elif isinstance(task, GridTask) and weighted:
        raise ConfigError(
            "task=grid searches one strategy's parameters on one book; for a weighted portfolio sweep "
            "its keys with peak-run -m (docs/research.md)"
        )
    elif isinstance(task, WalkForwardTask):
        from peak.app.walk_forward_task import check_walk_forward

        check_walk_forward(task, weighted)
    elif isinstance(task, RobustnessTask):
        from peak.app.robustness_task import check_robustness

        check_robustness(cfg, task)


def run_study(cfg: RunConfig, sim: Simulated, run_dir: Path) -> StudyOutput:
    """The task's work after the backtest (nothing for task=backtest or task=grid)."""
    task = cfg.task
    if isinstance(task, MonteCarloTask):
        from peak.app.monte_carlo_task import monte_carlo_study

        return monte_carlo_study(task, sim.result, run_dir)
    if isinstance(task, WalkForwardTask):
        from peak.app.walk_forward_task import walk_forward_study
        from peak.research.grid import Book

        single = not isinstance(cfg.portfolio, WeightedPortfolioConfig)
        bars = next(iter(sim.bars.values())) if single else None
        book = Book(cfg.execution, cfg.portfolio, cfg.risk) if single else None  # type: ignore[arg-type]
        return walk_forward_study(task, sim.result, bars, cfg.strategy, book, run_dir)
    if isinstance(task, StressTask):
        from peak.app.stress_task import stress_study

        return stress_study(task.study(), cfg, sim.bars, sim.result, run_dir)
    if isinstance(task, RobustnessTask):
        from peak.app.robustness_task import robustness_study

        return robustness_study(task, cfg, sim, run_dir)
    if isinstance(task, GridTask) or task.name == "backtest":
        return StudyOutput()
    raise ConfigError(f"task {task.name!r} has no study")  # a new task model without a branch here
