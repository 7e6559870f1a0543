"""Fixtures for peak.registry: the project's real gate and runs logged through peak.tracking into a tmp
sqlite store, with the tags, params and metric names peak-run logs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import yaml

from peak.core.results import MetricValue
from peak.registry.gate import GateConfig
from peak.tracking.mlflow_run import create_run

PROJECT_ROOT = Path(__file__).resolve().parents[3]

LogRun = Callable[..., str]

BACKTEST_PASSING: dict[str, MetricValue] = {
    "sharpe": 1.8,
    "max_drawdown": 0.12,
    "profit_factor": 1.6,
    "n_trades": 84,
    "total_return": 0.41,
}
STUDY_PASSING: dict[str, MetricValue] = {
    "wf.oos.sharpe": 1.2,
    "wf.efficiency": 0.7,
    "mc.sharpe.p5": 0.6,
    "mc.max_drawdown.p95": 0.2,
    "mc.ruin_probability": 0.0,
    "stress.worst.max_drawdown": 0.22,
}
CONFIG = {
    "strategy.name": "ma_crossover",
    "strategy.fast": "10",
    "strategy.slow": "50",
    "portfolio.name": "single",
    "portfolio.initial_cash": "10000.0",
    "risk.stop_loss": "null",
    "execution.fee_rate": "0.001",
}


@pytest.fixture(scope="session")
def gate() -> GateConfig:
    """The project's gate, ``conf/gate/go_no_go.yaml``, as peak promote composes it by default."""
    return GateConfig.model_validate(yaml.safe_load((PROJECT_ROOT / "conf/gate/go_no_go.yaml").read_text()))


@pytest.fixture()
def log_run(mlflow_uri: str) -> LogRun:
    """Log a FINISHED (or ``status``) run like peak-run does; returns its run id.

    ``log_run(task="robustness", metrics={...}, params={"strategy.fast": "5"}, strategy="macd")``.
    """

    def log(
        *,
        task: str = "backtest",
        metrics: Mapping[str, MetricValue] = BACKTEST_PASSING,
        params: Mapping[str, str] | None = None,
        strategy: str = "ma_crossover",
        fingerprint: str = "f" * 64,
        status: str = "FINISHED",
        tags: Mapping[str, str] | None = None,
    ) -> str:
        lineage = {
            "peak.task": task,
            "peak.portfolio": "single",
            "peak.strategy": strategy,
            "peak.symbol": "BTC/USDT",
            "peak.timeframe": "1h",
            "peak.data_fingerprint": fingerprint,
            "peak.config_hash": "c" * 64,
        }
        handle = create_run(mlflow_uri, "peak", f"{task} {strategy}", {**lineage, **(tags or {})})
        handle.log(params={**CONFIG, "task.name": task, **(params or {})}, metrics=metrics)
        if status != "RUNNING":
            handle.finish(status)
        return handle.info.run_id

    return log
