"""``run_backtest`` wires strategy → simulate → metrics into a ``RunResult``."""

from __future__ import annotations

import numpy as np

from peak.backtest import run_backtest, simulate
from peak.execution.config import ExecutionConfig
from peak.metrics import METRIC_NAMES
from peak.portfolio.config import PortfolioConfig
from peak.risk.config import RiskConfig
from peak.strategies import ma_crossover
from peak.strategies.config import MACrossoverConfig
from tests.support.bars import make_bars


def test_run_backtest_when_configs_given_then_run_result_matches_direct_simulation() -> None:
    close = 100.0 + 10.0 * np.sin(np.arange(300) / 9.0)
    bars = make_bars([100.0, *close[:-1].tolist()], close.tolist())
    execution = ExecutionConfig(fee_rate=0.002, slippage_bps=3.0)
    run = run_backtest(
        bars,
        strategy=MACrossoverConfig(fast=3, slow=12),
        execution=execution,
        portfolio=PortfolioConfig(initial_cash=5_000.0),
        risk=RiskConfig(),
        data_fingerprint="sha256:abc",
    )
    direct = simulate(
        bars, ma_crossover(bars.close, 3, 12), fee_rate=0.002, slippage_bps=3.0, initial_cash=5_000.0
    )
    np.testing.assert_array_equal(run.backtest.equity, direct.equity)
    assert tuple(run.metrics) == METRIC_NAMES
    assert run.metrics["n_trades"] == len(direct.trades) > 0
    assert (run.symbol, run.timeframe, run.data_fingerprint) == ("TEST", "1h", "sha256:abc")
    assert run.lineage["strategy"] == "ma_crossover"
