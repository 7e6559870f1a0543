"""Every library strategy: engine fed with its targets vs the reference loop fed with reference signals.

Long/flat configs on the long/flat book; the short side is in test_short_parity.py."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from peak.backtest import simulate
from peak.core.bars import Bars
from peak.strategies import target_positions
from peak.strategies.config import (
    BollingerConfig,
    BreakoutConfig,
    MACDConfig,
    MeanReversionConfig,
    MomentumConfig,
    RSIReversionConfig,
    TrendFollowingConfig,
)
from tests.support import reference_strategies as ref
from tests.support.bars import load_shared_bars
from tests.support.reference_loop import run_reference

REL = 1e-9
CASH = 10_000.0
FEE, SLIP = 0.001, 5.0


@lru_cache(maxsize=4)
def _columns(bars: Bars) -> tuple[list[float], list[float], list[float]]:
    return bars.high.tolist(), bars.low.tolist(), bars.close.tolist()


def _rsi(bars: Bars, c: RSIReversionConfig) -> list[float]:
    short = (c.short_entry, c.short_exit) if c.allow_short else (None, None)
    return ref.rsi_reversion_signals(_columns(bars)[2], c.period, c.entry, c.exit, *short)


def _bollinger(bars: Bars, c: BollingerConfig) -> list[float]:
    return ref.bollinger_signals(_columns(bars)[2], c.window, c.k, c.allow_short)


def _macd(bars: Bars, c: MACDConfig) -> list[float]:
    return ref.macd_signals(_columns(bars)[2], c.fast, c.slow, c.signal)


def _momentum(bars: Bars, c: MomentumConfig) -> list[float]:
    return ref.momentum_signals(_columns(bars)[2], c.lookback, c.threshold, c.exit_threshold)


def _mean_reversion(bars: Bars, c: MeanReversionConfig) -> list[float]:
    return ref.mean_reversion_signals(_columns(bars)[2], c.window, c.entry_z, c.exit_z, c.ddof)


def _breakout(bars: Bars, c: BreakoutConfig) -> list[float]:
    return ref.breakout_signals(*_columns(bars), c.window, c.exit_window, c.stop, c.target)


def _trend(bars: Bars, c: TrendFollowingConfig) -> list[float]:
    return ref.trend_following_signals(
        *_columns(bars), c.adx_period, c.adx_threshold, c.exit_threshold, c.ma_window
    )


CASES: list[tuple[object, Callable[[Bars, object], list[float]]]] = [
    (RSIReversionConfig(), _rsi),
    (RSIReversionConfig(period=7, entry=20.0, exit=60.0), _rsi),
    (RSIReversionConfig(period=28, entry=35.0, exit=45.0), _rsi),
    (BollingerConfig(), _bollinger),
    (BollingerConfig(window=50, k=2.5), _bollinger),
    (BollingerConfig(window=10, k=1.5), _bollinger),
    (MACDConfig(), _macd),
    (MACDConfig(fast=5, slow=35, signal=5), _macd),
    (MACDConfig(fast=24, slow=52, signal=18), _macd),
    (MomentumConfig(), _momentum),
    (MomentumConfig(lookback=24, threshold=0.01, exit_threshold=-0.01), _momentum),
    (MomentumConfig(lookback=720, threshold=0.05, exit_threshold=0.05), _momentum),
    (MeanReversionConfig(), _mean_reversion),
    (MeanReversionConfig(window=20, entry_z=1.5, exit_z=0.0, ddof=1), _mean_reversion),
    (MeanReversionConfig(window=100, entry_z=2.5, exit_z=-0.5), _mean_reversion),
    (BreakoutConfig(), _breakout),
    (BreakoutConfig(window=55, exit_window=20, stop=None, target=None), _breakout),
    (BreakoutConfig(window=10, exit_window=5, stop=0.02, target=None), _breakout),
    (TrendFollowingConfig(), _trend),
    (TrendFollowingConfig(adx_period=7, adx_threshold=30.0, exit_threshold=15.0, ma_window=20), _trend),
    (TrendFollowingConfig(adx_period=21, adx_threshold=20.0, exit_threshold=20.0, ma_window=200), _trend),
]


def _id(case: tuple[object, Callable]) -> str:
    cfg = case[0]
    return f"{cfg.name}-" + "-".join(f"{v}" for k, v in cfg.model_dump().items() if k != "name")


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
@pytest.mark.parametrize("symbol", ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
def test_strategy_when_engine_runs_targets_then_matches_reference_loop_on_reference_signals(
    market_dir: Path, symbol: str, case: tuple[object, Callable[[Bars, object], list[float]]]
) -> None:
    cfg, reference = case
    bars = load_shared_bars(market_dir, symbol, "1h")
    target = target_positions(bars, cfg)
    signal = reference(bars, cfg)
    mismatch = np.flatnonzero(target != np.array(signal))
    assert mismatch.size == 0, f"signals differ first at bar {mismatch[:1]}"

    result = simulate(bars, target, fee_rate=FEE, slippage_bps=SLIP, initial_cash=CASH)
    want = run_reference(bars.open.tolist(), _columns(bars)[2], signal, FEE, SLIP, CASH)
    assert math.isclose(float(result.equity[-1]), want.equity[-1], rel_tol=REL, abs_tol=0.0)
    np.testing.assert_allclose(result.equity, want.equity, rtol=REL, atol=0.0)
    assert len(result.trades) == len(want.trades) >= 5  # only meaningful with real trading
    got_pnl = result.trades.pnl
    np.testing.assert_allclose(got_pnl, [tr.pnl for tr in want.trades], rtol=REL, atol=1e-9 * CASH)
