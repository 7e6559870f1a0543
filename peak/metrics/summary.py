"""``compute_metrics``: the named metric set of one backtest, as plain Python numbers."""

from __future__ import annotations

import numpy as np

from peak.core.results import BacktestResult, MetricValue
from peak.core.timeframe import Timeframe
from peak.metrics.returns import bar_returns, cagr, max_drawdown, sharpe_ratio, sortino_ratio
from peak.metrics.trades import avg_trade_return, profit_factor, win_rate

METRIC_NAMES: tuple[str, ...] = (
    "final_equity",
    "total_return",
    "cagr",
    "sharpe",
    "sortino",
    "max_drawdown",
    "profit_factor",
    "n_trades",
    "win_rate",
    "exposure",
    "avg_trade_return",
)
"""Every key ``compute_metrics`` returns, in report order; each one is documented in docs/metrics.md."""


def compute_metrics(result: BacktestResult, timeframe: Timeframe) -> dict[str, MetricValue]:
    """All metrics of ``METRIC_NAMES`` for ``result``; values are Python float/int, or None when undefined.

    Annualisation uses ``timeframe.bars_per_year`` on a 24/7 calendar (8,760 for 1h, 365 for 1d).
    Example: ``compute_metrics(result, Timeframe.parse("1h"))["sharpe"]`` → ``1.23``.
    """
    equity = result.equity
    n_bars = int(equity.shape[0])
    if n_bars == 0:
        raise ValueError("compute_metrics needs a result with at least one bar")
    bpy = timeframe.bars_per_year
    returns = bar_returns(equity)
    final = float(equity[-1])
    pnl = result.trades.pnl
    metrics: dict[str, MetricValue] = {
        "final_equity": final,
        "total_return": final / result.initial_cash - 1.0,
        "cagr": cagr(result.initial_cash, final, n_bars, bpy),
        "sharpe": sharpe_ratio(returns, bpy),
        "sortino": sortino_ratio(returns, bpy),
        "max_drawdown": max_drawdown(equity),
        "profit_factor": profit_factor(pnl),
        "n_trades": len(result.trades),
        "win_rate": win_rate(pnl),
        "exposure": float(np.count_nonzero(result.units != 0.0)) / n_bars,
        "avg_trade_return": avg_trade_return(result.trades.ret),
    }
    return metrics
