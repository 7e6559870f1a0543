"""Wilder RSI and ADX against the textbook plain-Python definitions on real BTC hourly data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from peak.indicators import adx, rsi, wilder_smooth
from tests.support import reference_strategies as ref
from tests.support.bars import load_shared_bars

REL = 1e-9


def _as_array(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values])


def test_wilder_smooth_when_small_series_then_sma_seed_then_recursive_average() -> None:
    out = wilder_smooth(np.array([9.0, 1.0, 2.0, 3.0]), 2, 1)
    np.testing.assert_array_equal(out, [np.nan, np.nan, 1.5, 2.25])


@pytest.mark.parametrize("period", [2, 14, 50])
def test_rsi_when_real_btc_then_matches_textbook_wilder_rsi(market_dir: Path, period: int) -> None:
    close = load_shared_bars(market_dir, "BTCUSDT", "1h").close
    want = _as_array(ref.rsi(close.tolist(), period))
    got = rsi(close, period)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=REL, atol=0.0)
    assert np.isnan(got[:period]).all() and not np.isnan(got[period:]).any()
    assert np.nanmin(got) >= 0.0 and np.nanmax(got) <= 100.0


def test_rsi_when_prices_only_rise_then_100_and_when_flat_then_50() -> None:
    np.testing.assert_array_equal(rsi(np.arange(1.0, 20.0), 14)[14:], 100.0)
    np.testing.assert_array_equal(rsi(np.full(20, 5.0), 14)[14:], 50.0)


def test_rsi_when_close_has_nan_then_value_error_names_index() -> None:
    with pytest.raises(ValueError, match="first bad index 2"):
        rsi(np.array([1.0, 2.0, np.nan, 3.0]), 2)


@pytest.mark.parametrize("period", [0, -1, 2.5])
def test_rsi_when_period_invalid_then_value_error(period: float) -> None:
    with pytest.raises(ValueError, match="period"):
        rsi(np.arange(10.0), period)  # type: ignore[arg-type]


@pytest.mark.parametrize("period", [7, 14, 28])
def test_adx_when_real_btc_then_matches_textbook_wilder_adx(market_dir: Path, period: int) -> None:
    bars = load_shared_bars(market_dir, "BTCUSDT", "1h")
    want = ref.adx(bars.high.tolist(), bars.low.tolist(), bars.close.tolist(), period)
    got = adx(bars.high, bars.low, bars.close, period)
    for name, g, w in zip(("adx", "+di", "-di"), got, want, strict=True):
        w = _as_array(w)
        np.testing.assert_array_equal(np.isnan(g), np.isnan(w), err_msg=name)
        np.testing.assert_allclose(g, w, rtol=REL, atol=0.0, err_msg=name)
    assert np.isnan(got[0][: 2 * period - 1]).all() and not np.isnan(got[0][2 * period - 1 :]).any()


def test_adx_when_lengths_differ_then_value_error() -> None:
    with pytest.raises(ValueError, match="lengths differ"):
        adx(np.ones(5), np.ones(4), np.ones(5), 2)
