"""Hand-made series that pin each strategy's entry and exit rule bar by bar."""

from __future__ import annotations

import numpy as np

from peak.strategies import bollinger, breakout, macd, mean_reversion, momentum, rsi_reversion
from peak.strategies.config import (
    BollingerConfig,
    BreakoutConfig,
    MACDConfig,
    MeanReversionConfig,
    MomentumConfig,
    RSIReversionConfig,
)
from peak.strategies.hysteresis import hold_positions
from tests.support.bars import make_bars


def test_hold_positions_when_entry_then_exit_then_long_until_exit_bar() -> None:
    entry = np.array([0, 1, 1, 0, 0, 1], dtype=bool)
    exit_ = np.array([1, 0, 0, 1, 0, 0], dtype=bool)
    np.testing.assert_array_equal(hold_positions(entry, exit_), [0, 1, 1, 0, 0, 1])


def test_hold_positions_when_exit_and_entry_same_bar_then_exit_bar_stays_flat() -> None:
    both = np.array([1, 1, 1], dtype=bool)
    long_exit = np.array([0, 1, 0], dtype=bool)
    np.testing.assert_array_equal(hold_positions(both, long_exit), [1, 0, 1])


def test_hold_positions_when_short_rules_then_minus_one_while_short() -> None:
    no = np.zeros(4, dtype=bool)
    short_entry = np.array([0, 1, 0, 0], dtype=bool)
    short_exit = np.array([0, 0, 0, 1], dtype=bool)
    np.testing.assert_array_equal(hold_positions(no, no, short_entry, short_exit), [0, -1, -1, 0])


def test_rsi_reversion_when_selloff_then_rally_then_enters_oversold_exits_recovered() -> None:
    close = np.array([100.0, 99.0, 98.0, 97.0, 96.0, 97.0, 99.0, 101.0])
    # period 2: RSI is 0 on bars 2-4 (only losses), 25 on bar 5, ~73 on bar 6
    out = rsi_reversion(close, RSIReversionConfig(period=2, entry=30.0, exit=50.0))
    np.testing.assert_array_equal(out, [0, 0, 1, 1, 1, 1, 0, 0])


def test_rsi_reversion_when_short_allowed_then_short_overbought() -> None:
    close = np.array([100.0, 101.0, 102.0, 103.0, 102.0, 101.0, 100.0])
    out = rsi_reversion(close, RSIReversionConfig(period=2, allow_short=True))
    np.testing.assert_array_equal(out, [0, 0, -1, -1, -1, 0, 1])


def test_bollinger_when_close_drops_below_lower_band_then_long_until_middle() -> None:
    close = np.array([10.0, 10.0, 10.0, 10.0, 8.0, 9.0, 10.5, 10.0])
    out = bollinger(close, BollingerConfig(window=4, k=1.0))
    np.testing.assert_array_equal(out, [0, 0, 0, 0, 1, 1, 0, 0])


def test_macd_when_trend_turns_then_long_only_while_line_above_signal() -> None:
    close = np.concatenate([np.linspace(100.0, 90.0, 20), np.linspace(90.0, 120.0, 20), np.full(20, 80.0)])
    out = macd(close, MACDConfig(fast=3, slow=6, signal=3))
    assert out[:7].sum() == 0.0  # warm-up: slow + signal - 2 = 7 bars
    # the rally lifts the fast EMA over the slow one; the crash to 80 drops the line below its signal
    assert out[25:38].all() and not out[40:43].any()


def test_momentum_when_return_rises_then_fades_then_enters_and_exits_with_dead_band() -> None:
    close = np.array([100.0, 100.0, 103.0, 104.0, 104.0, 103.0, 102.0])
    out = momentum(close, MomentumConfig(lookback=2, threshold=0.02, exit_threshold=0.0))
    # returns: -, -, 3 %, 4 %, ~1 %, ~-1 %, ~-2 %: in at 3 %, still in at 1 %, out below 0
    np.testing.assert_array_equal(out, [0, 0, 1, 1, 1, 0, 0])


def test_mean_reversion_when_close_far_below_mean_then_long_until_back_near_mean() -> None:
    close = np.array([10.0, 10.1, 9.9, 10.0, 10.1, 9.9, 8.0, 9.0, 10.0, 10.0])
    out = mean_reversion(close, MeanReversionConfig(window=6, entry_z=1.5, exit_z=0.5))
    np.testing.assert_array_equal(out, [0, 0, 0, 0, 0, 0, 1, 1, 0, 0])


def test_breakout_when_close_clears_prior_high_then_long_until_target() -> None:
    close = [100.0, 101.0, 100.0, 103.0, 105.0, 114.0, 115.0]
    bars = make_bars(close, close)
    out = breakout(bars, BreakoutConfig(window=3, exit_window=2, stop=0.05, target=0.10))
    # bar 3 breaks the prior high 101 -> entry 103; target 113.3 hit on bar 5; bar 6 re-enters above 114
    np.testing.assert_array_equal(out, [0, 0, 0, 1, 1, 0, 1])


def test_breakout_when_close_falls_below_entry_by_stop_then_exits() -> None:
    close = [100.0, 101.0, 100.0, 103.0, 102.0, 97.5, 98.0]
    bars = make_bars(close, close)
    out = breakout(bars, BreakoutConfig(window=3, exit_window=3, stop=0.05, target=None))
    np.testing.assert_array_equal(out, [0, 0, 0, 1, 1, 0, 0])


def test_breakout_when_stop_and_target_disabled_then_only_channel_exit() -> None:
    close = [100.0, 101.0, 100.0, 103.0, 150.0, 149.0, 102.0]
    bars = make_bars(close, close)
    out = breakout(bars, BreakoutConfig(window=3, exit_window=2, stop=None, target=None))
    np.testing.assert_array_equal(out, [0, 0, 0, 1, 1, 1, 0])
