"""The whole run configuration: one frozen model per config group, validated before any work starts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, ValidationError

from peak.app.config_errors import describe_validation_error, find_missing
from peak.app.task_config import (
    BacktestTask,
    GridTask,
    MonteCarloTask,
    RobustnessTask,
    StressTask,
    WalkForwardTask,
)
from peak.backtest.portfolio_config import AnyPortfolioConfig
from peak.core.config import FrozenModel
from peak.core.env import EnvConfig
from peak.core.errors import ConfigError
from peak.data.config import DataConfig
from peak.execution.config import ExecutionConfig
from peak.registry.gate import GateConfig
from peak.reporting.config import ReportConfig
from peak.risk.config import RiskConfig
from peak.strategies.config import StrategyConfig
from peak.tracking.config import TrackingConfig

TaskConfig = Annotated[
    BacktestTask | MonteCarloTask | GridTask | WalkForwardTask | StressTask | RobustnessTask,
    Field(discriminator="name"),
]
"""The ``task`` group: what the run does."""


class RunConfig(FrozenModel):
    """A complete, validated run. ``RunConfig.model_validate(composed_dict)``."""

    data: DataConfig
    strategy: StrategyConfig
    portfolio: AnyPortfolioConfig
    risk: RiskConfig
    execution: ExecutionConfig
    env: EnvConfig
    tracking: TrackingConfig
    task: TaskConfig
    gate: GateConfig
    report: ReportConfig = ReportConfig()
    """Reports at the end of the run; a default so configs logged before the group existed still load."""

    def identity(self) -> dict[str, Any]:
        """The parts that define the result (everything but tracking and report), as plain JSON data.
        Reports do not change a result, so they stay out of the config hash."""
        return self.model_dump(mode="json", exclude={"tracking", "report"})


def validate_run_config(raw: Mapping[str, Any]) -> RunConfig:
    """Validate a composed config; every problem is listed in one ``ConfigError`` with its key path."""
    problems = find_missing(raw)
    if not problems:
        try:
            return RunConfig.model_validate(raw)
        except ValidationError as exc:
            problems = describe_validation_error(exc, raw, RunConfig)
    count = len(problems)
    header = f"invalid configuration ({count} problem{'s' if count != 1 else ''}):"
    raise ConfigError("\n".join([header, *(f"  - {line}" for line in problems)]))
