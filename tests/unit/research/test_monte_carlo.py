"""Monte-Carlo resampling on a real backtest: full BTCUSDT hourly history, MA crossover 20/50."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from peak.backtest import simulate
from peak.core.errors import PeakError
from peak.core.results import BacktestResult, Trades
from peak.metrics.returns import bar_returns, max_drawdown, sharpe_ratio
from peak.research.monte_carlo import (
    InsufficientSampleError,
    MonteCarloConfig,
    MonteCarloReport,
    _resample_chunk,
    run_monte_carlo,
)
from peak.strategies import target_positions
from peak.strategies.config import MACrossoverConfig
from tests.support.bars import load_shared_bars

HOURLY = 8760.0
PATHS = 300
BOOTSTRAPS = ("iid_bootstrap", "block_bootstrap")
METHODS = (*BOOTSTRAPS, "trade_reshuffle")


@pytest.fixture(scope="module")
def result(market_dir: Path) -> BacktestResult:
    bars = load_shared_bars(market_dir, "BTCUSDT", "1h")
    target = target_positions(bars, MACrossoverConfig(fast=20, slow=50))
    return simulate(bars, target, fee_rate=0.001, slippage_bps=5, initial_cash=10_000.0)


@pytest.fixture(scope="module")
def reports(result: BacktestResult) -> dict[str, MonteCarloReport]:
    return {m: run_monte_carlo(result, HOURLY, MonteCarloConfig(method=m, paths=PATHS)) for m in METHODS}


@pytest.mark.parametrize("method", BOOTSTRAPS)
def test_run_monte_carlo_when_bootstrap_then_every_metric_spreads(
    reports: dict[str, MonteCarloReport], method: str
) -> None:
    rep = reports[method]
    for dist in (rep.final_return, rep.max_drawdown, rep.sharpe):
        assert dist.at(95) - dist.at(5) > 1e-3
        assert dist.at(5) <= dist.at(50) <= dist.at(95)


def test_run_monte_carlo_when_trade_reshuffle_then_final_return_fixed_and_drawdown_varies(
    result: BacktestResult, reports: dict[str, MonteCarloReport]
) -> None:
    rep = reports["trade_reshuffle"]
    compounded = float(np.prod(1.0 + result.trades.ret)) - 1.0
    assert rep.final_return.original == pytest.approx(compounded, abs=1e-9)
    assert rep.final_return.at(5) == pytest.approx(compounded, abs=1e-9)
    assert rep.final_return.at(95) == pytest.approx(compounded, abs=1e-9)
    assert rep.max_drawdown.at(95) - rep.max_drawdown.at(5) > 1e-3
    # mean and std of the trade returns ignore order, so the per-trade Sharpe does too
    assert rep.sharpe.at(95) - rep.sharpe.at(5) < 1e-9
    assert rep.sharpe.at(50) == pytest.approx(rep.sharpe.original, abs=1e-9)


@pytest.mark.parametrize("method", METHODS)
def test_run_monte_carlo_when_any_method_then_ruin_probability_is_a_probability(
    reports: dict[str, MonteCarloReport], method: str
) -> None:
    p = reports[method].ruin_probability
    assert not math.isnan(p)
    assert 0.0 <= p <= 1.0


def test_run_monte_carlo_when_ruin_threshold_tighter_then_ruin_more_likely(result: BacktestResult) -> None:
    loose = run_monte_carlo(result, HOURLY, MonteCarloConfig(paths=PATHS, ruin_threshold=0.9))
    tight = run_monte_carlo(result, HOURLY, MonteCarloConfig(paths=PATHS, ruin_threshold=0.2))
    assert tight.ruin_probability > loose.ruin_probability


@pytest.mark.parametrize("method", METHODS)
def test_run_monte_carlo_when_same_seed_then_identical_and_other_seed_differs(
    result: BacktestResult, reports: dict[str, MonteCarloReport], method: str
) -> None:
    again = run_monte_carlo(result, HOURLY, MonteCarloConfig(method=method, paths=PATHS))
    other = run_monte_carlo(result, HOURLY, MonteCarloConfig(method=method, paths=PATHS, seed=1))
    first = reports[method]
    assert again.max_drawdown == first.max_drawdown
    assert again.sharpe == first.sharpe
    assert again.ruin_probability == first.ruin_probability
    np.testing.assert_array_equal(again.fan, first.fan)
    assert other.max_drawdown.values != first.max_drawdown.values


@pytest.mark.parametrize("method", BOOTSTRAPS)
def test_run_monte_carlo_when_bootstrap_then_median_sharpe_near_original(
    reports: dict[str, MonteCarloReport], method: str
) -> None:
    sharpe = reports[method].sharpe
    assert abs(sharpe.at(50) - sharpe.original) < 0.25


def test_run_monte_carlo_when_bootstrap_then_originals_match_peak_metrics(
    result: BacktestResult, reports: dict[str, MonteCarloReport]
) -> None:
    rep = reports["block_bootstrap"]
    assert rep.max_drawdown.original == max_drawdown(result.equity)
    assert rep.sharpe.original == sharpe_ratio(bar_returns(result.equity), HOURLY)
    assert rep.final_return.original == pytest.approx(result.equity[-1] / result.initial_cash - 1.0)
    assert rep.block_size == 24 * 7


def test_resample_chunk_when_path_is_the_original_order_then_matches_peak_metrics(
    result: BacktestResult,
) -> None:
    r = bar_returns(result.equity)
    out, fan = np.empty((1, 5)), np.empty((1, 2))
    steps = np.array([0, r.shape[0]], dtype=np.int64)
    _resample_chunk(r, np.zeros((1, 1), dtype=np.int64), r.shape[0], float(np.mean(r)), steps, out, fan)
    final, mdd, mean, std, low = out[0]
    assert final == pytest.approx(result.equity[-1] / result.equity[0] - 1.0, rel=1e-9)
    assert mdd == pytest.approx(max_drawdown(result.equity), rel=1e-9)
    assert mean / std * math.sqrt(HOURLY) == pytest.approx(sharpe_ratio(r, HOURLY), rel=1e-9)
    assert low == pytest.approx(min(1.0, result.equity.min() / result.equity[0]), rel=1e-9)
    assert fan[0, 1] == pytest.approx(result.equity[-1] / result.equity[0], rel=1e-9)


@pytest.mark.parametrize("method", METHODS)
def test_run_monte_carlo_when_any_method_then_fan_is_ordered_and_starts_at_initial_cash(
    reports: dict[str, MonteCarloReport], method: str
) -> None:
    rep = reports[method]
    assert rep.fan.shape == (len(rep.fan_percentiles), rep.fan_steps.shape[0])
    assert rep.fan_steps.shape[0] <= 200
    np.testing.assert_allclose(rep.fan[:, 0], 10_000.0)
    assert (np.diff(rep.fan, axis=0) >= 0.0).all()


def test_run_monte_carlo_when_one_trade_then_reshuffle_names_method_and_count(result: BacktestResult) -> None:
    trades = result.trades
    one = Trades(*(getattr(trades, f.name)[:1] for f in dataclasses.fields(Trades)))
    with pytest.raises(InsufficientSampleError, match=r"trade_reshuffle.*\b1\b") as info:
        run_monte_carlo(
            dataclasses.replace(result, trades=one), HOURLY, MonteCarloConfig(method="trade_reshuffle")
        )
    assert isinstance(info.value, PeakError)
    assert (info.value.method, info.value.count) == ("trade_reshuffle", 1)


def test_run_monte_carlo_when_fewer_bars_than_two_blocks_then_names_method_and_count(
    result: BacktestResult,
) -> None:
    short = dataclasses.replace(result, equity=result.equity[:100])
    with pytest.raises(InsufficientSampleError, match=r"block_bootstrap.*\b99\b"):
        run_monte_carlo(short, HOURLY, MonteCarloConfig(method="block_bootstrap"))


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"method": "iid_bootstrap", "block_size": 24}, "block_size"),
        ({"method": "trade_reshuffle", "block_size": 24}, "block_size"),
        ({"paths": 99}, "paths"),
        ({"block_size": 1}, "block_size"),
        ({"ruin_threshold": 1.0}, "ruin_threshold"),
        ({"percentiles": (95, 5)}, "percentiles"),
        ({"pathz": 1000}, "pathz"),
    ],
)
def test_monte_carlo_config_when_invalid_then_error_names_the_key(
    kwargs: dict[str, object], key: str
) -> None:
    with pytest.raises(ValidationError, match=key):
        MonteCarloConfig(**kwargs)
