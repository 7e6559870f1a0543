"""The simulation engine: targets to fills, fees, slippage and equity."""

from peak.backtest.engine import simulate
from peak.backtest.run import run_backtest

__all__ = ["run_backtest", "simulate"]
