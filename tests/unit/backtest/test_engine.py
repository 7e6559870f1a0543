"""``simulate`` on tiny hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from peak.backtest import simulate
from tests.support.bars import make_bars

OPEN = [100.0, 100.0, 110.0, 120.0, 130.0]
CLOSE = [100.0, 105.0, 115.0, 125.0, 130.0]


def test_simulate_when_one_round_trip_with_fee_and_slippage_then_hand_computed_trade() -> None:
    bars = make_bars(OPEN, CLOSE)
    # signal long at close of bar 0 → buy at open[1]; flat at close of bar 1 → sell at open[2]
    res = simulate(
        bars, np.array([1.0, 0.0, 0.0, 0.0, 0.0]), fee_rate=0.01, slippage_bps=100.0, initial_cash=1000.0
    )
    buy, sell = 100.0 * 1.01, 110.0 * 0.99  # 101.0 and 108.9
    units = 1000.0 / (buy * 1.01)  # 9.80296...
    proceeds = units * sell * 0.99
    tr = res.trades
    assert len(tr) == 1
    assert (tr.entry_ts[0], tr.exit_ts[0]) == (bars.ts[1], bars.ts[2])
    assert tr.entry_price[0] == pytest.approx(buy, rel=1e-15)
    assert tr.exit_price[0] == pytest.approx(sell, rel=1e-15)
    assert tr.units[0] == pytest.approx(units, rel=1e-15)
    assert tr.entry_fee[0] == pytest.approx(units * buy * 0.01, rel=1e-15)
    assert tr.exit_fee[0] == pytest.approx(units * sell * 0.01, rel=1e-15)
    assert tr.pnl[0] == pytest.approx(proceeds - 1000.0, rel=1e-12)  # 56.8669...: net of both fees
    assert tr.pnl[0] == pytest.approx(units * (sell - buy) - tr.entry_fee[0] - tr.exit_fee[0], rel=1e-12)
    assert tr.ret[0] == pytest.approx((proceeds - 1000.0) / 1000.0, rel=1e-12)
    np.testing.assert_allclose(res.equity, [1000.0, units * 105.0, proceeds, proceeds, proceeds], rtol=1e-15)
    np.testing.assert_allclose(res.units, [0.0, units, 0.0, 0.0, 0.0], rtol=1e-15)
    np.testing.assert_allclose(res.cash, [1000.0, 0.0, proceeds, proceeds, proceeds], rtol=1e-15)


def test_simulate_when_signal_only_on_last_bar_then_no_fill() -> None:
    res = simulate(
        make_bars(OPEN, CLOSE),
        np.array([0.0, 0.0, 0.0, 0.0, 1.0]),
        fee_rate=0.001,
        slippage_bps=5.0,
        initial_cash=1000.0,
    )
    assert len(res.trades) == 0
    np.testing.assert_array_equal(res.units, 0.0)
    np.testing.assert_array_equal(res.equity, 1000.0)


def test_simulate_when_position_open_at_end_then_marked_to_last_close_not_a_trade() -> None:
    res = simulate(
        make_bars(OPEN, CLOSE),
        np.array([0.0, 0.0, 1.0, 1.0, 1.0]),
        fee_rate=0.0,
        slippage_bps=0.0,
        initial_cash=1200.0,
    )
    units = 1200.0 / 120.0  # bought at open[3]
    assert len(res.trades) == 0
    assert res.units[-1] == pytest.approx(units, rel=1e-15)
    assert res.equity[-1] == pytest.approx(units * 130.0, rel=1e-15)
    assert int(np.count_nonzero(res.units)) == 2  # held at the close of bars 3 and 4: exposure 2/5


def test_simulate_when_target_toggles_then_each_round_trip_is_one_trade() -> None:
    bars = make_bars(OPEN * 2, CLOSE * 2)
    res = simulate(
        bars,
        np.array([1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]),
        fee_rate=0.0,
        slippage_bps=0.0,
        initial_cash=100.0,
    )
    np.testing.assert_array_equal(res.trades.entry_ts, bars.ts[[1, 3, 5]])
    np.testing.assert_array_equal(res.trades.exit_ts, bars.ts[[2, 4, 7]])


def test_simulate_when_target_zero_or_negative_then_flat() -> None:
    res = simulate(
        make_bars(OPEN, CLOSE),
        np.array([-1.0, 0.0, -0.5, 0.0, 0.0]),
        fee_rate=0.0,
        slippage_bps=0.0,
        initial_cash=100.0,
    )
    assert len(res.trades) == 0 and not res.units.any()


def test_simulate_when_long_whole_period_without_costs_then_equity_tracks_close() -> None:
    res = simulate(make_bars(OPEN, CLOSE), np.ones(5), fee_rate=0.0, slippage_bps=0.0, initial_cash=100.0)
    np.testing.assert_allclose(res.equity[1:], 100.0 * np.array(CLOSE[1:]) / OPEN[1], rtol=1e-15)


def test_simulate_when_target_has_nan_then_value_error() -> None:
    with pytest.raises(ValueError, match="NaN at index 3"):
        simulate(
            make_bars(OPEN, CLOSE),
            np.array([0.0, 1.0, 1.0, np.nan, 0.0]),
            fee_rate=0.0,
            slippage_bps=0.0,
            initial_cash=100.0,
        )


def test_simulate_when_target_length_differs_then_value_error() -> None:
    with pytest.raises(ValueError, match="shape"):
        simulate(make_bars(OPEN, CLOSE), np.ones(4), fee_rate=0.0, slippage_bps=0.0, initial_cash=100.0)


@pytest.mark.parametrize(
    ("fee_rate", "slippage_bps", "cash"),
    [(-0.1, 0.0, 1.0), (0.0, -1.0, 1.0), (0.0, 0.0, 0.0), (0.0, 0.0, float("nan"))],
)
def test_simulate_when_cost_or_cash_out_of_range_then_value_error(
    fee_rate: float, slippage_bps: float, cash: float
) -> None:
    with pytest.raises(ValueError, match="must be"):
        simulate(
            make_bars(OPEN, CLOSE),
            np.ones(5),
            fee_rate=fee_rate,
            slippage_bps=slippage_bps,
            initial_cash=cash,
        )
