"""Rolling std, Bollinger bands, z-score and the prior Donchian channel against plain Python on real BTC."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from peak.indicators import bollinger_bands, donchian_prior, rolling_std, sma, zscore
from tests.support import reference_strategies as ref
from tests.support.bars import load_shared_bars

REL = 1e-9


@pytest.fixture(scope="module")
def btc_close(market_dir: Path) -> np.ndarray:
    return load_shared_bars(market_dir, "BTCUSDT", "1h").close


@pytest.mark.parametrize(("window", "ddof"), [(2, 0), (20, 0), (50, 1)])
def test_rolling_std_when_real_btc_then_matches_two_pass_fsum(btc_close, window: int, ddof: int) -> None:
    close = btc_close.tolist()
    want = [ref.window_std(close, t, window, ddof) for t in range(len(close))]
    want_arr = np.array([np.nan if v is None else v for v in want])
    np.testing.assert_allclose(rolling_std(btc_close, window, ddof), want_arr, rtol=REL, atol=0.0)


def test_rolling_std_when_ddof_not_0_or_1_then_value_error() -> None:
    with pytest.raises(ValueError, match="ddof"):
        rolling_std(np.arange(5.0), 3, 2)


def test_bollinger_bands_when_real_btc_then_sma_plus_minus_k_std(btc_close) -> None:
    lower, middle, upper = bollinger_bands(btc_close, 20, 2.0)
    close = btc_close.tolist()
    for t in (19, 1_000, len(close) - 1):
        mid, sd = ref.window_mean(close, t, 20), ref.window_std(close, t, 20, 0)
        assert middle[t] == pytest.approx(mid, rel=REL)
        assert lower[t] == pytest.approx(mid - 2.0 * sd, rel=REL)
        assert upper[t] == pytest.approx(mid + 2.0 * sd, rel=REL)
    np.testing.assert_array_equal(middle, sma(btc_close, 20))
    assert np.isnan(lower[:19]).all()


def test_zscore_when_real_btc_then_distance_in_stds(btc_close) -> None:
    z = zscore(btc_close, 50, 1)
    close = btc_close.tolist()
    for t in (49, 5_000, len(close) - 1):
        want = (close[t] - ref.window_mean(close, t, 50)) / ref.window_std(close, t, 50, 1)
        assert z[t] == pytest.approx(want, rel=REL)


def test_zscore_when_window_flat_then_nan_not_inf() -> None:
    assert np.isnan(zscore(np.full(10, 3.0), 5)).all()


def test_donchian_prior_when_real_btc_then_excludes_bar_t(market_dir: Path) -> None:
    bars = load_shared_bars(market_dir, "BTCUSDT", "1h")
    lower, upper = donchian_prior(bars.high, bars.low, 20)
    high, low = bars.high.tolist(), bars.low.tolist()
    want_upper = [np.nan] * 20 + [max(high[t - 20 : t]) for t in range(20, len(high))]
    want_lower = [np.nan] * 20 + [min(low[t - 20 : t]) for t in range(20, len(low))]
    np.testing.assert_array_equal(upper, want_upper)
    np.testing.assert_array_equal(lower, want_lower)


def test_donchian_prior_when_bar_t_is_new_high_then_upper_is_previous_high() -> None:
    high = np.array([1.0, 2.0, 3.0, 10.0])
    _, upper = donchian_prior(high, high - 0.5, 2)
    np.testing.assert_array_equal(upper, [np.nan, np.nan, 2.0, 3.0])
