"""Metrics on small hand-computed equity curves and trade lists."""

from __future__ import annotations

import math

import numpy as np
import pytest

from peak.core.results import BacktestResult, Trades
from peak.core.timeframe import Timeframe
from peak.metrics import (
    METRIC_NAMES,
    cagr,
    compute_metrics,
    max_drawdown,
    profit_factor,
    sharpe_ratio,
    sortino_ratio,
)

H1, D1 = Timeframe.parse("1h"), Timeframe.parse("1d")


def _result(equity: list[float], pnl: list[float] = (), units: list[float] | None = None) -> BacktestResult:
    n, k = len(equity), len(pnl)
    f = np.asarray(pnl, dtype=np.float64)
    ts = np.zeros(k, np.int64)
    trades = Trades(ts, ts, *(np.ones(k) for _ in range(5)), f, f / 100.0)
    eq = np.asarray(equity, dtype=np.float64)
    u = np.zeros(n) if units is None else np.asarray(units, dtype=np.float64)
    return BacktestResult(
        ts=np.arange(n, dtype=np.int64),
        equity=eq,
        cash=eq,
        units=u,
        trades=trades,
        initial_cash=float(equity[0]),
    )


def test_max_drawdown_when_peak_then_trough_then_fraction_of_peak() -> None:
    assert max_drawdown(np.array([100.0, 120.0, 90.0, 130.0, 110.0])) == pytest.approx(0.25, rel=1e-15)


def test_max_drawdown_when_curve_never_falls_then_zero() -> None:
    assert max_drawdown(np.array([1.0, 1.0, 2.0, 3.0])) == 0.0


def test_sharpe_when_same_returns_then_scales_with_sqrt_bars_per_year() -> None:
    r = np.array([0.1, -0.1, 0.1])  # mean 1/30, sample variance 1/75
    assert sharpe_ratio(r, D1.bars_per_year) == pytest.approx(math.sqrt(75) / 30 * math.sqrt(365), rel=1e-12)
    ratio = sharpe_ratio(r, H1.bars_per_year) / sharpe_ratio(r, D1.bars_per_year)
    assert ratio == pytest.approx(math.sqrt(24), rel=1e-12)


def test_sortino_when_mixed_returns_then_downside_over_all_returns() -> None:
    r = np.array([0.1, -0.1, 0.1])  # downside deviation sqrt(0.01 / 3)
    want = (1 / 30) / math.sqrt(0.01 / 3) * math.sqrt(365)
    assert sortino_ratio(r, 365.0) == pytest.approx(want, rel=1e-12)


def test_sharpe_and_sortino_when_returns_constant_then_none() -> None:
    metrics = compute_metrics(_result([1.0, 2.0, 4.0, 8.0]), D1)  # every return exactly 1.0
    assert metrics["sharpe"] is None and metrics["sortino"] is None


def test_sharpe_when_single_return_then_none() -> None:
    assert sharpe_ratio(np.array([0.05]), 365.0) is None


def test_cagr_when_doubling_over_two_years_then_sqrt_two_minus_one() -> None:
    assert cagr(100.0, 200.0, 730, D1.bars_per_year) == pytest.approx(math.sqrt(2) - 1, rel=1e-12)


def test_cagr_when_wiped_out_then_minus_one() -> None:
    assert cagr(100.0, 0.0, 10, 365.0) == -1.0


@pytest.mark.parametrize(
    ("pnl", "want"),
    [([10.0, -5.0, 5.0], 3.0), ([10.0, 5.0], math.inf), ([-1.0, -2.0], 0.0), ([], None), ([0.0, 0.0], None)],
)
def test_profit_factor_when_trade_mix_then_gross_profit_over_gross_loss(pnl: list[float], want) -> None:
    assert profit_factor(np.array(pnl, dtype=np.float64)) == want


def test_compute_metrics_when_no_trades_then_trade_metrics_none_and_count_zero() -> None:
    m = compute_metrics(_result([100.0, 101.0, 99.0]), H1)
    assert m["n_trades"] == 0
    assert m["profit_factor"] is None and m["win_rate"] is None and m["avg_trade_return"] is None


def test_compute_metrics_when_trades_and_position_then_hand_computed_values() -> None:
    m = compute_metrics(
        _result([100.0, 110.0, 99.0, 120.0], pnl=[20.0, -10.0, 0.0], units=[0.0, 1.0, 1.0, 0.0]), D1
    )
    assert m["final_equity"] == 120.0 and m["total_return"] == pytest.approx(0.2, rel=1e-15)
    assert m["win_rate"] == pytest.approx(1 / 3) and m["profit_factor"] == 2.0
    assert m["exposure"] == 0.5 and m["avg_trade_return"] == pytest.approx(10.0 / 300.0, rel=1e-15)
    assert m["max_drawdown"] == pytest.approx(0.1, rel=1e-14)
    assert m["cagr"] == pytest.approx(1.2 ** (365 / 4) - 1, rel=1e-12)


def test_compute_metrics_when_called_then_plain_python_values_in_documented_order() -> None:
    m = compute_metrics(_result([100.0, 110.0, 99.0, 120.0], pnl=[20.0, -10.0]), H1)
    assert tuple(m) == METRIC_NAMES
    for name, value in m.items():
        assert value is None or type(value) in (int, float), f"{name} is {type(value)}"
    assert type(m["n_trades"]) is int
