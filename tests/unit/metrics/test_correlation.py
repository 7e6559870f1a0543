"""Sleeve correlation on per-bar P&L."""

from __future__ import annotations

import math

import numpy as np

from peak.metrics import correlation_summary, pnl_correlation


def test_pnl_correlation_when_sleeves_mirror_then_minus_one_and_flat_sleeve_nan() -> None:
    up = np.array([100.0, 101.0, 103.0, 102.0, 106.0])
    mirror = 200.0 - up
    flat = np.full(5, 50.0)
    corr = pnl_correlation([up, mirror, flat])
    assert math.isclose(corr[0, 1], -1.0) and math.isclose(corr[0, 0], 1.0)
    assert np.isnan(corr[2]).all() and np.isnan(corr[:, 2]).all()
    summary = correlation_summary(corr)
    assert summary == {"corr_mean": -1.0, "corr_max": -1.0}


def test_pnl_correlation_when_scaled_then_unchanged() -> None:
    rng = np.random.default_rng(1)
    a, b = np.cumsum(rng.normal(size=200)) + 100, np.cumsum(rng.normal(size=200)) + 100
    np.testing.assert_allclose(pnl_correlation([a, b]), pnl_correlation([10 * a, b]), rtol=1e-12)
    assert math.isclose(pnl_correlation([a, b])[0, 1], float(np.corrcoef(np.diff(a), np.diff(b))[0, 1]))


def test_correlation_summary_when_one_sleeve_then_none() -> None:
    corr = pnl_correlation([np.array([1.0, 2.0])])
    assert correlation_summary(corr) == {"corr_mean": None, "corr_max": None}
