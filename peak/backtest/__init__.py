"""The simulation engine: targets to fills, fees, slippage and equity, for one book or a portfolio."""

from peak.backtest.engine import simulate
from peak.backtest.portfolio import Account, SleeveSpec, simulate_portfolio
from peak.backtest.run import resolve_sleeves, run_backtest, run_portfolio

__all__ = [
    "Account",
    "SleeveSpec",
    "resolve_sleeves",
    "run_backtest",
    "run_portfolio",
    "simulate",
    "simulate_portfolio",
]
