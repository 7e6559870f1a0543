"""``run_backtest``: strategy targets → simulation → metrics, packaged as a ``RunResult``."""

from __future__ import annotations

from peak.backtest.engine import simulate
from peak.core.bars import Bars
from peak.core.results import RunResult
from peak.execution.config import ExecutionConfig
from peak.metrics import compute_metrics
from peak.portfolio.config import PortfolioConfig
from peak.risk.config import RiskConfig
from peak.strategies import target_positions
from peak.strategies.config import StrategyConfig

ENGINE_NAME = "peak.backtest/book/v2"
"""Recorded in lineage so results from a changed engine are never mistaken for older ones."""


def run_backtest(
    bars: Bars,
    *,
    strategy: StrategyConfig,
    execution: ExecutionConfig,
    portfolio: PortfolioConfig,
    risk: RiskConfig,
    data_fingerprint: str,
) -> RunResult:
    """One backtest of ``strategy`` on ``bars`` with the given costs and capital.

    ``portfolio`` sets capital, shorting and sizing; ``risk`` the intrabar stop, target and trailing stop.
    ``data_fingerprint`` is passed through untouched (it identifies the exact input data).
    Example: ``run_backtest(bars, strategy=MACrossoverConfig(), execution=ExecutionConfig(),
    portfolio=PortfolioConfig(), risk=RiskConfig(), data_fingerprint="sha256:...").metrics["sharpe"]``.
    """
    target = target_positions(bars, strategy)
    result = simulate(
        bars,
        target,
        fee_rate=execution.fee_rate,
        slippage_bps=execution.slippage_bps,
        initial_cash=portfolio.initial_cash,
        allow_short=portfolio.allow_short,
        stop_loss=risk.stop_loss,
        take_profit=risk.take_profit,
        trailing_stop=risk.trailing_stop,
        sizing=portfolio.sizing_rule(),
    )
    return RunResult(
        backtest=result,
        metrics=compute_metrics(result, bars.timeframe),
        data_fingerprint=data_fingerprint,
        symbol=bars.symbol,
        timeframe=str(bars.timeframe),
        lineage={
            "engine": ENGINE_NAME,
            "strategy": strategy.name,
            "execution": execution.name,
            "portfolio": portfolio.name,
            "risk": risk.name,
        },
    )
