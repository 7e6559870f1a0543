"""The engine against the independent plain-Python reference loop on the full real BTC/ETH hourly files."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from peak.backtest import simulate
from peak.core.bars import Bars
from peak.metrics import METRIC_NAMES, compute_metrics
from peak.strategies import ma_crossover
from tests.support.bars import load_shared_bars
from tests.support.parity import assert_close, assert_trades_equal
from tests.support.reference_loop import (
    crossover_signals,
    reference_metrics,
    run_reference,
)

REL = 1e-9
CASH = 10_000.0
PARAMS = [(2, 3), (5, 20), (10, 50), (20, 50), (24, 168), (50, 200)]
COSTS = [pytest.param(0.0, 0.0, id="frictionless"), pytest.param(0.001, 5.0, id="fee10bps_slip5bps")]


@lru_cache(maxsize=32)
def _reference_signal(symbol: str, close: tuple[float, ...], fast: int, slow: int) -> tuple[float, ...]:
    # the O(n * slow) reference SMA is the slow part; share it between the two cost settings
    return tuple(crossover_signals(list(close), fast, slow))


@lru_cache(maxsize=4)
def _close_tuple(bars: Bars) -> tuple[float, ...]:
    return tuple(bars.close.tolist())


@pytest.mark.parametrize(("fee_rate", "slippage_bps"), COSTS)
@pytest.mark.parametrize(("fast", "slow"), PARAMS)
@pytest.mark.parametrize("symbol", ["BTCUSDT", "ETHUSDT"])
def test_simulate_when_real_hourly_data_then_matches_reference_loop(
    market_dir: Path, symbol: str, fast: int, slow: int, fee_rate: float, slippage_bps: float
) -> None:
    bars = load_shared_bars(market_dir, symbol, "1h")
    close = _close_tuple(bars)
    ref_signal = _reference_signal(symbol, close, fast, slow)
    target = ma_crossover(bars.close, fast, slow)
    assert target.tolist() == list(ref_signal)

    result = simulate(bars, target, fee_rate=fee_rate, slippage_bps=slippage_bps, initial_cash=CASH)
    ref = run_reference(bars.open.tolist(), list(close), list(ref_signal), fee_rate, slippage_bps, CASH)

    assert_close("final equity", float(result.equity[-1]), ref.equity[-1])
    np.testing.assert_allclose(result.equity, ref.equity, rtol=REL, atol=0.0)
    np.testing.assert_array_equal(result.units != 0.0, np.array(ref.units) != 0.0)
    assert_trades_equal(bars, result.trades, ref)
    got_metrics = compute_metrics(result, bars.timeframe)
    want_metrics = reference_metrics(ref, CASH, bars.timeframe.bars_per_year)
    assert tuple(got_metrics) == METRIC_NAMES
    for name in METRIC_NAMES:
        assert_close(name, got_metrics[name], want_metrics[name])
    assert got_metrics["n_trades"] > 10  # the comparison is only meaningful with real trading
