"""Performance metrics computed from a simulation result. Formulas and edge cases: docs/metrics.md."""

from peak.metrics.correlation import correlation_summary, pnl_correlation
from peak.metrics.overfitting import (
    BacktestOverfitting,
    DeflatedSharpe,
    OverfittingInputError,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    pbo_from_blocks,
    probabilistic_sharpe_ratio,
    probability_of_backtest_overfitting,
)
from peak.metrics.returns import bar_returns, cagr, max_drawdown, sharpe_ratio, sortino_ratio
from peak.metrics.summary import METRIC_NAMES, compute_metrics
from peak.metrics.trades import avg_trade_return, profit_factor, win_rate

__all__ = [
    "METRIC_NAMES",
    "BacktestOverfitting",
    "DeflatedSharpe",
    "OverfittingInputError",
    "avg_trade_return",
    "bar_returns",
    "cagr",
    "compute_metrics",
    "correlation_summary",
    "deflated_sharpe_ratio",
    "expected_max_sharpe",
    "max_drawdown",
    "pbo_from_blocks",
    "pnl_correlation",
    "probabilistic_sharpe_ratio",
    "probability_of_backtest_overfitting",
    "profit_factor",
    "sharpe_ratio",
    "sortino_ratio",
    "win_rate",
]
