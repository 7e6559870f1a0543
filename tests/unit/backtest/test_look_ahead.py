"""No look-ahead: changing any bar after t must leave the signal and the book at t untouched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from peak.backtest import simulate
from peak.core.bars import OHLCV_COLUMNS, Bars
from peak.portfolio.sizing import VolTarget
from peak.strategies import target_positions
from peak.strategies.config import MACrossoverConfig
from tests.support.bars import load_shared_bars

N_BARS = 3_000
CFG = MACrossoverConfig(fast=5, slow=20)
COSTS = {"fee_rate": 0.001, "slippage_bps": 5.0, "initial_cash": 10_000.0}


def _perturb_after(bars: Bars, t: int, rng: np.random.Generator) -> Bars:
    """Same bars up to t; every OHLC value after t scaled by an independent random factor in [0.5, 1.5)."""
    cols = {}
    for name in OHLCV_COLUMNS:
        arr = getattr(bars, name).copy()
        if name != "volume":
            arr[t + 1 :] *= rng.uniform(0.5, 1.5, size=arr.shape[0] - t - 1)
        cols[name] = arr
    return Bars(symbol=bars.symbol, timeframe=bars.timeframe, ts=bars.ts.copy(), **cols)


@pytest.fixture(scope="module")
def btc_slice(market_dir: Path) -> Bars:
    return load_shared_bars(market_dir, "BTCUSDT", "1h").slice(0, N_BARS)


@pytest.mark.parametrize("seed", range(8))
def test_engine_when_bars_after_t_change_then_signal_and_book_at_t_unchanged(
    btc_slice: Bars, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    t = int(rng.integers(0, N_BARS - 1))
    base_target = target_positions(btc_slice, CFG)
    base = simulate(btc_slice, base_target, **COSTS)

    moved = _perturb_after(btc_slice, t, rng)
    moved_target = target_positions(moved, CFG)
    after = simulate(moved, moved_target, **COSTS)

    assert not np.array_equal(moved.close, btc_slice.close)  # the perturbation is real
    np.testing.assert_array_equal(moved_target[: t + 1], base_target[: t + 1])
    for name in ("units", "cash", "equity"):
        got, want = getattr(after, name)[: t + 1], getattr(base, name)[: t + 1]
        np.testing.assert_array_equal(got, want, err_msg=name)


RULES = {
    "allow_short": True,
    "stop_loss": 0.02,
    "take_profit": 0.04,
    "trailing_stop": 0.015,
    "sizing": VolTarget(target_vol=0.5, lookback=24),
}


@pytest.mark.parametrize("seed", range(8))
def test_engine_when_stops_and_shorts_on_and_bars_after_t_change_then_book_at_t_unchanged(
    btc_slice: Bars, seed: int
) -> None:
    rng = np.random.default_rng(100 + seed)
    t = int(rng.integers(0, N_BARS - 1))
    base = simulate(btc_slice, 2.0 * target_positions(btc_slice, CFG) - 1.0, **COSTS, **RULES)

    moved = _perturb_after(btc_slice, t, rng)
    after = simulate(moved, 2.0 * target_positions(moved, CFG) - 1.0, **COSTS, **RULES)

    assert len(base.trades) > 20  # stops, targets and reversals all in play
    for name in ("units", "cash", "equity"):
        got, want = getattr(after, name)[: t + 1], getattr(base, name)[: t + 1]
        np.testing.assert_array_equal(got, want, err_msg=name)
    closed = base.trades.exit_ts <= btc_slice.ts[t]
    np.testing.assert_array_equal(after.trades.pnl[: int(closed.sum())], base.trades.pnl[closed])
