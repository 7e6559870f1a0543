"""The research tasks' config models (``task=grid|walk_forward|stress|robustness``), validated like every
other group; each wraps the research layer's own settings and adds only what the app needs."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from peak.core.config import FrozenModel
from peak.research.grid import Objective
from peak.research.monte_carlo import MonteCarloConfig
from peak.research.stress import StressConfig
from peak.research.walk_forward import WalkForwardConfig

Workers = Field(0, ge=0, le=512)
"""Threads of an in-process grid; 0 = every core."""


class MonteCarloTask(MonteCarloConfig):
    """``task=monte_carlo``: the backtest, then resampled paths of it (docs/research.md)."""

    name: Literal["monte_carlo"] = "monte_carlo"

    def study(self) -> MonteCarloConfig:
        """The research-layer config without the task name."""
        return MonteCarloConfig(**self.model_dump(exclude={"name"}))


class GridTask(FrozenModel):
    """``task=grid``: every cell of ``grid`` (strategy field → values) on one dataset, in one process.

    ``grid`` None (or empty) uses the strategy's preset (``peak.research.grid_presets``).
    """

    name: Literal["grid"] = "grid"
    grid: dict[str, Any] | None = None
    optimize: Objective = "sharpe"
    top_k: int = Field(10, ge=1, le=100)
    workers: int = Workers


class WalkForwardTask(WalkForwardConfig):
    """``task=walk_forward``: IS grid optimisation then OOS test per fold, or ``fixed`` windows of the
    configured run (the only mode for portfolios)."""

    name: Literal["walk_forward"] = "walk_forward"
    grid: dict[str, Any] | None = None
    fixed: bool | None = None
    """True: cut the configured run into windows; False: optimise per fold (single book only);
    None: optimise a single book, cut a portfolio."""
    workers: int = Workers

    def study(self) -> WalkForwardConfig:
        """The research-layer window settings."""
        return WalkForwardConfig(**self.model_dump(include=set(WalkForwardConfig.model_fields)))


class StressTask(StressConfig):
    """``task=stress``: the run replayed under each named shock of ``scenarios``."""

    name: Literal["stress"] = "stress"

    def study(self) -> StressConfig:
        """The research-layer config without the task name."""
        return StressConfig(**self.model_dump(exclude={"name"}, by_alias=True))


class RobustnessTask(FrozenModel):
    """``task=robustness``: walk-forward, Monte-Carlo and stress on the configured run, then the gate."""

    name: Literal["robustness"] = "robustness"
    walk_forward: WalkForwardTask
    monte_carlo: MonteCarloTask
    stress: StressTask


class BacktestTask(FrozenModel):
    """``task=backtest``: one backtest (one book or a weighted portfolio)."""

    name: Literal["backtest"] = "backtest"


ResearchTask = GridTask | WalkForwardTask | StressTask | RobustnessTask | MonteCarloTask
"""Every task beyond the plain backtest."""
