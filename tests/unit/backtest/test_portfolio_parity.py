"""The portfolio kernel against the single-book engine, which is itself proven against the reference loop.

One sleeve of weight 1 must reproduce ``simulate`` exactly, and sleeves that never compete for cash
(``rebalance=none``) must each reproduce an independent book holding their share of the cash.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from peak.backtest import Account, SleeveSpec, simulate, simulate_portfolio
from peak.core.bars import Bars
from peak.core.results import BacktestResult
from peak.execution.config import ExecutionConfig
from peak.portfolio.sizing import AllIn, FixedFraction, FixedNotional, Sizing, VolTarget
from peak.strategies import target_positions
from peak.strategies.config import BollingerConfig, MACrossoverConfig, RSIReversionConfig
from tests.support.bars import load_shared_bars

REL = 1e-9
N_BARS = 15_000  # a real-data slice long enough for hundreds of trades
FEE, SLIP = 0.001, 5.0

RULES: list[dict] = [
    {},
    {"stop_loss": 0.03},
    {"take_profit": 0.05, "trailing_stop": 0.04},
    {"allow_short": True, "stop_loss": 0.04, "take_profit": 0.08},
    {"allow_short": True, "sizing": FixedFraction(fraction=0.4), "trailing_stop": 0.06},
    {"sizing": FixedNotional(notional=3_000.0)},
    {"sizing": VolTarget(target_vol=0.5, lookback=72), "stop_loss": 0.05},
]


def _bars(market_dir: Path, symbol: str) -> Bars:
    return load_shared_bars(market_dir, symbol, "1h").slice(0, N_BARS)


def _book(bars: Bars, target: np.ndarray, cash: float, rules: dict) -> BacktestResult:
    return simulate(bars, target, fee_rate=FEE, slippage_bps=SLIP, initial_cash=cash, **rules)


def _assert_same(got: BacktestResult, want: BacktestResult) -> None:
    np.testing.assert_allclose(got.equity, want.equity, rtol=REL, atol=0.0)
    np.testing.assert_allclose(got.units, want.units, rtol=REL, atol=1e-12)
    assert len(got.trades) == len(want.trades)
    np.testing.assert_array_equal(got.trades.entry_ts, want.trades.entry_ts)
    np.testing.assert_array_equal(got.trades.exit_ts, want.trades.exit_ts)
    for name in ("entry_price", "exit_price", "units", "entry_fee", "exit_fee", "pnl", "ret"):
        np.testing.assert_allclose(getattr(got.trades, name), getattr(want.trades, name), rtol=REL, atol=1e-9)


def _spec(name: str, bars: Bars, weight: float, target: np.ndarray, rules: dict) -> SleeveSpec:
    sizing: Sizing = rules.get("sizing", AllIn())
    other = {k: v for k, v in rules.items() if k != "sizing"}
    return SleeveSpec(name, bars.symbol, weight, target, sizing=sizing, **other)


@pytest.mark.parametrize("symbol", ["BTCUSDT", "ETHUSDT", "SOLUSDT"])
@pytest.mark.parametrize("rules", RULES, ids=lambda r: ",".join(sorted(r)) or "plain")
def test_portfolio_when_one_sleeve_then_equals_single_book(
    market_dir: Path, symbol: str, rules: dict
) -> None:
    bars = _bars(market_dir, symbol)
    strategy = RSIReversionConfig(allow_short=True) if rules.get("allow_short") else MACrossoverConfig()
    target = target_positions(bars, strategy)
    want = _book(bars, target, 10_000.0, rules)
    sim = simulate_portfolio(
        [bars], [_spec("only", bars, 1.0, target, rules)], execution=ExecutionConfig(), account=Account()
    )
    assert len(want.trades) > 20
    _assert_same(sim.sleeves[0], want)
    np.testing.assert_allclose(sim.total.equity, want.equity, rtol=REL, atol=0.0)


@pytest.mark.parametrize("rules", [RULES[0], RULES[1], RULES[3]], ids=["plain", "stop", "short"])
def test_portfolio_when_rebalance_none_then_each_sleeve_equals_its_own_book(
    market_dir: Path, rules: dict
) -> None:
    btc, eth = _bars(market_dir, "BTCUSDT"), _bars(market_dir, "ETHUSDT")
    short = bool(rules.get("allow_short"))
    plans = [
        ("btc_ma", btc, 0.4, target_positions(btc, MACrossoverConfig(fast=10, slow=40))),
        ("btc_rsi", btc, 0.25, target_positions(btc, RSIReversionConfig(allow_short=short))),
        ("eth_bb", eth, 0.35, target_positions(eth, BollingerConfig(allow_short=short))),
    ]
    sleeves = [_spec(name, bars, w, tgt, rules) for name, bars, w, tgt in plans]
    # shorts can push gross exposure above equity; the cap must not bind for the books to be independent
    account = Account(initial_cash=10_000.0, max_leverage=10.0 if short else 1.0)
    sim = simulate_portfolio([btc, eth], sleeves, execution=ExecutionConfig(), account=account)
    for (_, bars, weight, tgt), got in zip(plans, sim.sleeves, strict=True):
        _assert_same(got, _book(bars, tgt, 10_000.0 * weight, rules))
    total = sum(s.equity for s in sim.sleeves)
    np.testing.assert_allclose(sim.total.equity, total, rtol=1e-12, atol=0.0)


def test_portfolio_when_sleeves_report_equity_then_sum_is_total_at_every_bar(market_dir: Path) -> None:
    btc, eth, sol = (_bars(market_dir, s) for s in ("BTCUSDT", "ETHUSDT", "SOLUSDT"))
    rng = np.random.default_rng(5)
    sleeves = []
    for k, bars in enumerate([btc, eth, sol, btc]):
        # random long/short/flat targets that change every few bars stress every accounting path
        raw = rng.choice([-1.0, 0.0, 1.0], size=len(bars) // 7 + 1)
        sleeves.append(
            _spec(
                f"s{k}", bars, 0.25, np.repeat(raw, 7)[: len(bars)], {"allow_short": True, "stop_loss": 0.02}
            )
        )
    for rebalance, every in (("none", None), ("on_signal", None), ("periodic", "1d")):
        account = Account(rebalance=rebalance, rebalance_every=every, max_leverage=1.0)
        sim = simulate_portfolio([btc, eth, sol], sleeves, execution=ExecutionConfig(), account=account)
        total = np.sum([s.equity for s in sim.sleeves], axis=0)
        scale = np.abs(sim.total.equity).max()
        assert np.max(np.abs(total - sim.total.equity)) <= 1e-9 * scale, rebalance
        assert math.isfinite(float(sim.total.equity[-1])) and len(sim.total.trades) > 100
        # without leverage the shared cash never goes negative, whatever the sleeves do
        assert sim.total.cash.min() >= -1e-9 * scale, rebalance
