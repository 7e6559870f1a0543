"""Portfolio rules on hand-made bars where every number can be checked by hand: budgets, rebalancing,
the leverage cap, missing bars and the execution models."""

from __future__ import annotations

import numpy as np
import pytest

from peak.backtest import Account, SleeveSpec, simulate_portfolio
from peak.backtest.align import align_bars
from peak.backtest.portfolio import rebalance_bars
from peak.core.bars import Bars
from peak.execution.config import ExecutionConfig, SymbolRules
from tests.support.bars import make_bars

FREE = ExecutionConfig(fee_rate=0.0, slippage_bps=0.0)
H = 3600 * 10**9


def _bars(
    symbol: str,
    opens: list[float],
    closes: list[float],
    *,
    volume: float = 1e9,
    start: int = 0,
    highs: list[float] | None = None,
    lows: list[float] | None = None,
) -> Bars:
    b = make_bars(opens, closes, symbol=symbol)
    o, c = np.asarray(opens), np.asarray(closes)
    return Bars(
        symbol=symbol,
        timeframe=b.timeframe,
        ts=b.ts + start * H,
        open=o,
        high=np.asarray(highs) if highs else np.maximum(o, c),
        low=np.asarray(lows) if lows else np.minimum(o, c),
        close=c,
        volume=np.full(o.shape, volume),
    )


def _spec(name: str, symbol: str, weight: float, target: list[float], **rules: object) -> SleeveSpec:
    return SleeveSpec(name, symbol, weight, np.asarray(target, dtype=np.float64), **rules)  # type: ignore[arg-type]


def test_portfolio_when_on_signal_then_entry_sized_from_weight_of_total_equity() -> None:
    a = _bars("A/USD", [100, 100, 200, 200, 200], [100, 100, 200, 200, 200])
    b = _bars("B/USD", [10, 10, 10, 10, 10], [10, 10, 10, 10, 10])
    # sleeve a buys 5 units at bar 1 and sells them at 200 at bar 3's open; sleeve b enters at that open
    sleeves = [_spec("a", "A/USD", 0.5, [1, 1, 0, 0, 0]), _spec("b", "B/USD", 0.5, [0, 0, 1, 1, 1])]
    sim = simulate_portfolio([a, b], sleeves, execution=FREE, account=Account(1000.0, rebalance="on_signal"))
    # equity at bar 3 after a's sale: 1500 -> b is funded with half of it, 750 / 10 = 75 units
    assert sim.sleeves[1].units[3] == pytest.approx(75.0)
    # b's own ledger is now 500 - 750 = -250 (funded by a's profit); the account's cash is 750
    assert sim.sleeves[1].cash[3] == pytest.approx(-250.0) and sim.total.cash[3] == pytest.approx(750.0)
    assert sim.sleeves[1].equity[-1] == pytest.approx(500.0) and sim.total.equity[-1] == pytest.approx(1500.0)
    none = simulate_portfolio([a, b], sleeves, execution=FREE, account=Account(1000.0, rebalance="none"))
    assert none.sleeves[1].units[3] == pytest.approx(50.0)  # its own 500 only


def test_portfolio_when_cash_runs_out_then_entries_capped_and_cash_never_negative() -> None:
    a = _bars("A/USD", [100] * 4, [100] * 4)
    sleeves = [_spec("x", "A/USD", 0.5, [1, 1, 1, 1]), _spec("y", "A/USD", 0.5, [1, 1, 1, 1])]
    sim = simulate_portfolio(
        [a], sleeves, execution=FREE, account=Account(1000.0, rebalance="on_signal", max_leverage=0.6)
    )
    # x takes 500 (half of 1000); the 0.6 cap leaves y only 100 of room
    assert sim.sleeves[0].units[1] == pytest.approx(5.0)
    assert sim.sleeves[1].units[1] == pytest.approx(1.0)
    assert sim.total.units[1] == pytest.approx(600.0)  # gross exposure
    assert sim.total.cash.min() >= 0.0


def test_portfolio_when_periodic_then_open_positions_resized_at_period_start() -> None:
    # 24 hourly bars of day 1, then day 2 starts at bar 24 where the rebalance happens
    n = 30
    a = _bars("A/USD", [100.0] * 10 + [200.0] * (n - 10), [100.0] * 10 + [200.0] * (n - 10))
    b = _bars("B/USD", [100.0] * n, [100.0] * n)
    sleeves = [_spec("a", "A/USD", 0.5, [1.0] * n), _spec("b", "B/USD", 0.5, [1.0] * n)]
    account = Account(1000.0, rebalance="periodic", rebalance_every="1d")
    sim = simulate_portfolio([a, b], sleeves, execution=FREE, account=account)
    flags = rebalance_bars(sim.total.ts, "1d")
    assert np.flatnonzero(flags).tolist() == [24]
    # before: a holds 5 units worth 1000, b 5 units worth 500; at bar 24 both go to 750
    assert sim.sleeves[0].units[23] == pytest.approx(5.0)
    assert sim.sleeves[0].units[24] == pytest.approx(3.75)
    assert sim.sleeves[1].units[24] == pytest.approx(7.5)
    assert len(sim.total.trades) == 0  # a resize is not a round trip
    lazy = Account(1000.0, rebalance="periodic", rebalance_every="1d", rebalance_threshold=0.6)
    held = simulate_portfolio([a, b], sleeves, execution=FREE, account=lazy)
    assert held.sleeves[0].units[24] == pytest.approx(5.0)  # a 25 % drift is under the 60 % threshold


def test_portfolio_when_asset_misses_bars_then_it_waits_and_is_valued_at_last_close() -> None:
    a = _bars("A/USD", [100, 101, 102, 103, 104, 105], [100, 101, 102, 103, 104, 105])
    full = _bars("B/USD", [10, 11, 12, 13, 14, 15], [10, 11, 12, 13, 14, 15])
    keep = np.array([0, 1, 4, 5])  # B has no bars at hours 2 and 3
    b = Bars(
        symbol="B/USD",
        timeframe=full.timeframe,
        ts=full.ts[keep],
        open=full.open[keep],
        high=full.high[keep],
        low=full.low[keep],
        close=full.close[keep],
        volume=full.volume[keep],
    )
    sleeves = [_spec("a", "A/USD", 0.5, [0] * 6), _spec("b", "B/USD", 0.5, [0, 1, 1, 1])]  # on B's own bars
    sim = simulate_portfolio([a, b], sleeves, execution=FREE, account=Account(1000.0))
    assert sim.total.ts.shape == (6,)
    # the signal known at B's bar 1 cannot fill at hours 2-3 (no B bar): it fills at hour 4's open, 14
    assert sim.sleeves[1].units[3] == 0.0
    assert sim.sleeves[1].units[4] == pytest.approx(500.0 / 14.0)
    dropped = simulate_portfolio(
        [a, b], sleeves, execution=FREE, account=Account(1000.0, missing_bars="drop")
    )
    assert dropped.total.ts.shape == (4,)
    al = align_bars([a, b], "hold")
    assert al.mark[1, 2] == 11.0 and not al.present[1, 2] and np.isnan(al.open[1, 3])


def test_portfolio_when_volume_capped_then_order_fills_over_bars_as_one_trade() -> None:
    a = _bars("A/USD", [100.0] * 6, [100.0] * 6, volume=40.0)
    cfg = ExecutionConfig(fee_rate=0.0, slippage_bps=0.0, volume_cap=0.1)  # at most 4 units a bar
    sim = simulate_portfolio(
        [a], [_spec("a", "A/USD", 1.0, [1, 1, 1, 1, 0, 0])], execution=cfg, account=Account(1000.0)
    )
    # wants 10 units: 4 + 4 + 2, then sells 4 + 4 + 2 from bar 5 on (only 1 more bar: 4 left open)
    assert sim.sleeves[0].units.tolist() == [0.0, 4.0, 8.0, 10.0, 10.0, 6.0]
    assert len(sim.total.trades) == 0  # still open at the end
    cfg_fast = ExecutionConfig(fee_rate=0.0, slippage_bps=0.0, volume_cap=0.25)  # 10 units a bar
    done = simulate_portfolio(
        [a], [_spec("a", "A/USD", 1.0, [1, 0, 0, 0, 0, 0])], execution=cfg_fast, account=Account(1000.0)
    )
    assert len(done.total.trades) == 1 and done.total.trades.units[0] == pytest.approx(10.0)


def test_portfolio_when_lot_size_and_minimum_then_quantity_rounded_and_small_orders_skipped() -> None:
    a = _bars("A/USD", [300.0] * 4, [300.0] * 4)
    rules = {"A/USD": SymbolRules(lot_size=0.5, min_qty=0.0, min_notional=0.0)}
    cfg = ExecutionConfig(fee_rate=0.0, slippage_bps=0.0, symbols=rules)
    sim = simulate_portfolio(
        [a], [_spec("a", "A/USD", 1.0, [1, 1, 1, 1])], execution=cfg, account=Account(1000.0)
    )
    assert sim.sleeves[0].units[1] == pytest.approx(3.0)  # 3.33 rounded down to the 0.5 lot
    too_small = ExecutionConfig(
        fee_rate=0.0, slippage_bps=0.0, symbols={"A/USD": SymbolRules(min_notional=2000.0)}
    )
    none = simulate_portfolio(
        [a], [_spec("a", "A/USD", 1.0, [1, 1, 1, 1])], execution=too_small, account=Account(1000.0)
    )
    assert not none.sleeves[0].units.any()


def test_portfolio_when_maker_taker_then_take_profit_pays_maker_and_stop_pays_taker() -> None:
    cfg = ExecutionConfig(
        fee_model="maker_taker", fee_rate=None, maker_fee=0.001, taker_fee=0.004, slippage_bps=0.0
    )
    up = _bars("A/USD", [100, 100, 100], [100, 100, 100], highs=[100, 100, 120], lows=[100, 100, 100])
    sim = simulate_portfolio(
        [up], [_spec("a", "A/USD", 1.0, [1, 1, 1], take_profit=0.1)], execution=cfg, account=Account(1000.0)
    )
    tr = sim.total.trades
    units = 1000.0 / (100.0 * 1.004)
    assert tr.entry_fee[0] == pytest.approx(units * 100.0 * 0.004)
    assert tr.exit_price[0] == pytest.approx(110.0) and tr.exit_fee[0] == pytest.approx(units * 110.0 * 0.001)
    down = _bars("A/USD", [100, 100, 100], [100, 100, 100], highs=[100, 100, 100], lows=[100, 100, 90])
    sim = simulate_portfolio(
        [down], [_spec("a", "A/USD", 1.0, [1, 1, 1], stop_loss=0.05)], execution=cfg, account=Account(1000.0)
    )
    assert sim.total.trades.exit_fee[0] == pytest.approx(units * 95.0 * 0.004)


def test_portfolio_when_range_slippage_then_share_of_bar_range_clamped_to_bar() -> None:
    cfg = ExecutionConfig(fee_rate=0.0, slippage_model="range", slippage_bps=None, range_share=0.25)
    a = _bars(
        "A/USD",
        [100, 100, 100, 100],
        [100, 100, 100, 100],
        highs=[100, 108, 100, 140],
        lows=[100, 96, 100, 99],
    )
    sim = simulate_portfolio(
        [a], [_spec("a", "A/USD", 1.0, [1, 1, 0, 0])], execution=cfg, account=Account(1000.0)
    )
    tr = sim.total.trades
    assert tr.entry_price[0] == pytest.approx(100.0 + 0.25 * 12.0)  # buy at bar 1: open + 3
    # sell at bar 3: 100 - 0.25 * 41 = 89.75 lies below the bar's low, so it fills at the low, 99
    assert tr.exit_price[0] == pytest.approx(99.0)


def test_time_weighted_when_budget_is_share_of_account_then_returns_use_that_base() -> None:
    from peak.backtest.run import time_weighted
    from peak.core.results import BacktestResult, Trades

    ts = np.arange(3, dtype=np.int64)
    sleeve = BacktestResult(
        ts=ts,
        equity=np.array([500.0, 600.0, 550.0]),
        cash=np.zeros(3),
        units=np.ones(3),
        trades=Trades.empty(),
        initial_cash=500.0,
    )
    total = np.array([1000.0, 2000.0, 2000.0])
    curve = time_weighted(sleeve, total, 0.5, own=False).equity
    # +100 on a base of 500 -> +20 %; then -50 on a base of 1000 -> -5 %
    assert curve.tolist() == pytest.approx([500.0, 600.0, 570.0])
    assert time_weighted(sleeve, total, 0.5, own=True) is sleeve
