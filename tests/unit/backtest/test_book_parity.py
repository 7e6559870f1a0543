"""Shorts, stops, targets, trailing stops and sizing: the engine against the plain-Python reference book on
the full real BTC/ETH/SOL hourly files."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

from peak.backtest import simulate
from peak.core.bars import Bars
from peak.portfolio.sizing import AllIn, FixedFraction, FixedNotional, Sizing, VolTarget
from peak.strategies import ma_crossover
from tests.support.bars import load_shared_bars
from tests.support.parity import assert_trades_equal
from tests.support.reference_loop import BookRules, crossover_signals, run_reference_book

REL = 1e-9
CASH = 10_000.0
FEE, SLIP_BPS = 0.001, 5.0
PARAMS = [(5, 20), (10, 50), (24, 96)]
RULES = {
    "stop": BookRules(stop_loss=0.03),
    "target": BookRules(take_profit=0.05),
    "stop_and_target": BookRules(stop_loss=0.02, take_profit=0.04),
    "trailing": BookRules(trailing_stop=0.04),
    "trailing_stop_target": BookRules(stop_loss=0.03, take_profit=0.08, trailing_stop=0.02),
    "short": BookRules(allow_short=True),
    "short_with_exits": BookRules(allow_short=True, stop_loss=0.03, take_profit=0.06, trailing_stop=0.04),
    "fixed_fraction": BookRules(sizing="fixed_fraction", size=0.5),
    "fixed_notional": BookRules(sizing="fixed_notional", size=2_500.0),
    "vol_target": BookRules(sizing="vol_target", size=0.4, lookback=168),
    "vol_target_short_stop": BookRules(
        allow_short=True, stop_loss=0.03, sizing="vol_target", size=0.3, lookback=48
    ),
}


@lru_cache(maxsize=16)
def _reference_signal(bars: Bars, fast: int, slow: int) -> tuple[float, ...]:
    return tuple(crossover_signals(bars.close.tolist(), fast, slow))


@lru_cache(maxsize=4)
def _ohlc_lists(bars: Bars) -> dict[str, list[float]]:
    return {name: getattr(bars, name).tolist() for name in ("open", "high", "low", "close")}


def _sizing(rules: BookRules) -> Sizing:
    if rules.sizing == "fixed_fraction":
        return FixedFraction(fraction=rules.size)
    if rules.sizing == "fixed_notional":
        return FixedNotional(notional=rules.size)
    if rules.sizing == "vol_target":
        return VolTarget(target_vol=rules.size, lookback=rules.lookback)
    return AllIn()


@pytest.mark.parametrize("case", list(RULES))
@pytest.mark.parametrize(("fast", "slow"), PARAMS)
@pytest.mark.parametrize("symbol", ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
def test_simulate_when_risk_rules_on_real_hourly_data_then_matches_reference_book(
    market_dir: Path, symbol: str, fast: int, slow: int, case: str
) -> None:
    bars = load_shared_bars(market_dir, symbol, "1h")
    rules = RULES[case]
    signal = list(_reference_signal(bars, fast, slow))
    target = ma_crossover(bars.close, fast, slow)
    assert target.tolist() == signal
    if rules.allow_short:  # always in the market: long above, short below (and during warm-up)
        signal = [2.0 * x - 1.0 for x in signal]
        target = 2.0 * target - 1.0

    result = simulate(
        bars,
        target,
        fee_rate=FEE,
        slippage_bps=SLIP_BPS,
        initial_cash=CASH,
        allow_short=rules.allow_short,
        stop_loss=rules.stop_loss,
        take_profit=rules.take_profit,
        trailing_stop=rules.trailing_stop,
        sizing=_sizing(rules),
    )
    ref = run_reference_book(_ohlc_lists(bars), signal, FEE, SLIP_BPS, CASH, rules)

    np.testing.assert_allclose(result.equity, ref.equity, rtol=REL, atol=0.0)
    np.testing.assert_allclose(result.units, ref.units, rtol=REL, atol=0.0)
    assert_trades_equal(bars, result.trades, ref)
    assert len(result.trades) > 10  # the comparison is only meaningful with real trading


@pytest.mark.parametrize("symbol", ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
def test_simulate_when_general_kernel_runs_the_default_book_then_identical_to_lean_kernel(
    market_dir: Path, symbol: str
) -> None:
    bars = load_shared_bars(market_dir, symbol, "1h")
    target = ma_crossover(bars.close, 10, 50)
    costs = {"fee_rate": FEE, "slippage_bps": SLIP_BPS, "initial_cash": CASH}
    lean = simulate(bars, target, **costs)
    # fraction 1.0 commits exactly the cash, like all_in, but routes through peak.backtest.book
    general = simulate(bars, target, **costs, sizing=FixedFraction(fraction=1.0))
    for name in ("equity", "cash", "units"):
        np.testing.assert_array_equal(getattr(general, name), getattr(lean, name), err_msg=name)
    np.testing.assert_array_equal(general.trades.pnl, lean.trades.pnl)
