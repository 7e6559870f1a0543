"""``sma`` against textbook values, pandas and exactly rounded window sums (``math.fsum``)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from peak.indicators import sma


def test_sma_when_textbook_series_then_window_means_after_warm_up() -> None:
    out = sma(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 3)
    np.testing.assert_array_equal(out, [np.nan, np.nan, 2.0, 3.0, 4.0])


def test_sma_when_window_one_then_identity() -> None:
    x = np.array([3.5, -1.0, 2.25])
    np.testing.assert_array_equal(sma(x, 1), x)


def test_sma_when_window_longer_than_series_then_all_nan() -> None:
    assert np.isnan(sma(np.arange(4.0), 5)).all()


def test_sma_when_random_walk_then_matches_pandas_rolling_mean() -> None:
    x = 100.0 + np.random.default_rng(1).normal(size=5_000).cumsum()
    want = pd.Series(x).rolling(50).mean().to_numpy()
    np.testing.assert_allclose(sma(x, 50), want, rtol=1e-12, equal_nan=True)


def test_sma_when_million_bars_then_no_drift_from_exact_window_sums() -> None:
    # a plain running sum drifts over long series; the compensated one must stay at ulp level
    x = 30_000.0 * np.exp(np.random.default_rng(2).normal(0.0, 0.01, size=1_000_000).cumsum())
    out = sma(x, 200)
    for t in (199, 250_000, 999_999):
        assert out[t] == pytest.approx(_exact_mean(x, t, 200), rel=1e-14, abs=0.0)


def _exact_mean(x: np.ndarray, t: int, window: int) -> float:
    return math.fsum(x[t - window + 1 : t + 1].tolist()) / window


def test_sma_when_prices_collapse_1e8_fold_then_late_averages_stay_exact() -> None:
    # a plain running sum carries the rounding of the 10,000-USDT era into the 0.0001-USDT era
    rng = np.random.default_rng(3)
    x = 1e4 * np.exp(np.linspace(0.0, math.log(1e-8), 200_000) + rng.normal(0.0, 0.01, 200_000))
    out = sma(x, 50)
    plain = np.cumsum(x)  # the naive cumsum-difference SMA, for contrast
    t = 199_999
    naive = (plain[t] - plain[t - 50]) / 50
    assert abs(naive / _exact_mean(x, t, 50) - 1.0) > 1e-6
    assert out[t] == pytest.approx(_exact_mean(x, t, 50), rel=1e-13, abs=0.0)


@pytest.mark.parametrize("window", [3, 1023, 1024, 1025, 3000])
def test_sma_when_crossing_anchor_boundaries_then_matches_exact_window_means(window: int) -> None:
    x = 100.0 + np.random.default_rng(window).normal(size=9_000).cumsum()
    out = sma(x, window)
    for t in (window - 1, 1023, 1024, 1025, 2047, 2048, 4096, 8191, 8999):
        if t >= window - 1:
            assert out[t] == pytest.approx(_exact_mean(x, t, window), rel=1e-13, abs=0.0), t


@pytest.mark.parametrize("window", [0, -3, 2.5])
def test_sma_when_window_not_positive_integer_then_value_error(window: float) -> None:
    with pytest.raises(ValueError, match="window"):
        sma(np.arange(5.0), window)  # type: ignore[arg-type]


def test_sma_when_values_hold_nan_then_value_error_names_index() -> None:
    with pytest.raises(ValueError, match="index 2"):
        sma(np.array([1.0, 2.0, np.nan, 4.0]), 2)
