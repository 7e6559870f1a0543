"""Aligning several symbols on one timeline, and the portfolio's input checks."""

from __future__ import annotations

import numpy as np
import pytest

from peak.backtest import Account, SleeveSpec, simulate_portfolio
from peak.backtest.align import align_bars
from peak.backtest.portfolio import rebalance_bars
from peak.core.errors import DataError
from peak.execution.config import ExecutionConfig
from tests.support.bars import make_bars, shifted

H = 3600 * 10**9


def test_align_bars_when_symbol_starts_later_then_not_present_and_unmarked_before() -> None:
    a = make_bars([1.0, 2.0, 3.0, 4.0], [1.5, 2.5, 3.5, 4.5], symbol="A/USD")
    late = make_bars([10.0, 11.0], [10.5, 11.5], symbol="B/USD")
    b = shifted(late, 2)
    al = align_bars([a, b])
    assert al.present[1].tolist() == [False, False, True, True]
    assert np.isnan(al.mark[1, :2]).all() and al.mark[1, 2] == 10.5
    assert al.carry(1, np.array([1.0, -1.0])).tolist() == [0.0, 0.0, 1.0, -1.0]
    assert align_bars([a, b], "drop").ts.tolist() == a.ts[2:].tolist()


def test_align_bars_when_timeframes_differ_or_no_overlap_then_data_error() -> None:
    a = make_bars([1.0, 2.0], [1.0, 2.0], symbol="A/USD")
    d = make_bars([1.0, 2.0], [1.0, 2.0], timeframe="1d", symbol="B/USD")
    with pytest.raises(DataError, match="different timeframes"):
        align_bars([a, d])
    far = make_bars([1.0], [1.0], symbol="C/USD")
    far = shifted(far, 100)
    with pytest.raises(DataError, match="share no timestamp"):
        align_bars([a, far], "drop")


def test_rebalance_bars_when_weekly_then_mondays_at_midnight_utc() -> None:
    # 2024-01-01 was a Monday: hourly bars from Sunday 2023-12-31 00:00 for 9 days
    start = np.datetime64("2023-12-31T00:00", "ns").astype(np.int64)
    ts = start + np.arange(9 * 24, dtype=np.int64) * H
    marked = ts[rebalance_bars(ts, "1w")]
    assert marked.astype("datetime64[ns]").astype("datetime64[h]").astype(str).tolist() == [
        "2024-01-01T00",
        "2024-01-08T00",
    ]
    assert not rebalance_bars(ts, None).any()


def test_simulate_portfolio_when_target_nan_or_weights_off_then_value_error_names_sleeve() -> None:
    a = make_bars([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], symbol="A/USD")
    bad = SleeveSpec("bad", "A/USD", 1.0, np.array([0.0, np.nan, 0.0]))
    with pytest.raises(ValueError, match="sleeve 'bad': target holds NaN at timeline index 1"):
        simulate_portfolio([a], [bad], execution=ExecutionConfig(), account=Account())
    half = SleeveSpec("half", "A/USD", 0.5, np.zeros(3))
    with pytest.raises(ValueError, match=r"sum to 1\.0"):
        simulate_portfolio([a], [half], execution=ExecutionConfig(), account=Account())
    other = SleeveSpec("x", "Z/USD", 1.0, np.zeros(3))
    with pytest.raises(ValueError, match="no bars for sleeve symbol"):
        simulate_portfolio([a], [other], execution=ExecutionConfig(), account=Account())
