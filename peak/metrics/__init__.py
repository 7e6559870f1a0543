"""Performance metrics computed from a simulation result. Formulas and edge cases: docs/metrics.md."""

from peak.metrics.correlation import correlation_summary, pnl_correlation
from peak.metrics.returns import bar_returns, cagr, max_drawdown, sharpe_ratio, sortino_ratio
from peak.metrics.summary import METRIC_NAMES, compute_metrics
from peak.metrics.trades import avg_trade_return, profit_factor, win_rate

__all__ = [
    "METRIC_NAMES",
    "avg_trade_return",
    "bar_returns",
    "cagr",
    "compute_metrics",
    "correlation_summary",
    "max_drawdown",
    "pnl_correlation",
    "profit_factor",
    "sharpe_ratio",
    "sortino_ratio",
    "win_rate",
]
