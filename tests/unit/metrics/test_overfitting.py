"""Overfitting statistics: normal CDF and its inverse, PSR, expected max Sharpe, DSR and PBO (CSCV)."""

from __future__ import annotations

import itertools
import math
from statistics import NormalDist

import numpy as np
import pytest

from peak.core.errors import PeakError
from peak.metrics import (
    deflated_sharpe_ratio,
    expected_max_sharpe,
    pbo_from_blocks,
    probabilistic_sharpe_ratio,
    probability_of_backtest_overfitting,
)
from peak.metrics.overfitting import (
    DegenerateSampleError,
    OverfittingInputError,
    normal_cdf,
    normal_inv_cdf,
)

# --- normal distribution ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.0, 0.5),
        (1.0, 0.8413447460685429),
        (-1.0, 0.15865525393145707),
        (1.959963984540054, 0.975),
        (-3.0, 0.0013498980316300946),
    ],
)
def test_normal_cdf_when_known_point_then_matches_table(x: float, expected: float) -> None:
    assert normal_cdf(x) == pytest.approx(expected, abs=1e-15)


def test_normal_cdf_when_far_lower_tail_then_relative_precision_kept() -> None:
    # Φ(-8) = 6.22096057427178e-16; a naive 1 - Φ(8) would return 6.66e-16 or 0.
    assert normal_cdf(-8.0) == pytest.approx(6.22096057427178e-16, rel=1e-12)


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.5, 0.0),
        (0.975, 1.959963984540054),
        (0.025, -1.959963984540054),
        (0.9, 1.2815515655446004),
        (0.01, -2.3263478740408408),
        (0.99, 2.3263478740408408),
        (1e-10, -6.361340902404056),
    ],
)
def test_normal_inv_cdf_when_known_point_then_within_1e12(p: float, expected: float) -> None:
    assert abs(normal_inv_cdf(p) - expected) < 1e-12


def test_normal_inv_cdf_when_grid_across_both_tails_then_agrees_with_stdlib() -> None:
    probabilities = np.concatenate([np.logspace(-300, -1, 400), np.linspace(0.001, 0.999, 999)])
    reference = NormalDist()
    for p in probabilities:
        expected = reference.inv_cdf(float(p))
        assert abs(normal_inv_cdf(float(p)) - expected) <= 1e-12 * max(1.0, abs(expected)), p


def test_normal_inv_cdf_when_round_tripped_then_returns_probability() -> None:
    for p in (1e-6, 0.02425, 0.3, 0.7, 0.97575, 1 - 1e-6):
        assert normal_cdf(normal_inv_cdf(p)) == pytest.approx(p, rel=1e-12)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.5, math.nan])
def test_normal_inv_cdf_when_p_outside_open_interval_then_error_names_p(p: float) -> None:
    with pytest.raises(OverfittingInputError, match="p must lie strictly between 0 and 1"):
        normal_inv_cdf(p)


# --- probabilistic Sharpe ratio ---------------------------------------------------------------------


def test_probabilistic_sharpe_ratio_when_hand_example_then_matches() -> None:
    # SR=0.05, SR*=0.01, n=251, skew=-0.5, kurtosis=5:
    # variance term = 1 + 0.5*0.05 + (5-1)/4*0.05**2 = 1.0275
    # z = 0.04 * 15.8114 / 1.01366 = 0.62393 -> Φ(z) = 0.73366
    z = 0.04 * math.sqrt(250) / math.sqrt(1.0275)
    assert z == pytest.approx(0.623935, abs=1e-6)
    psr = probabilistic_sharpe_ratio(0.05, 0.01, 251, -0.5, 5.0)
    assert psr == pytest.approx(NormalDist().cdf(z), abs=1e-14)
    assert psr == pytest.approx(0.7336647368446, abs=1e-12)


def test_probabilistic_sharpe_ratio_when_sharpe_equals_benchmark_then_one_half() -> None:
    assert probabilistic_sharpe_ratio(0.2, 0.2, 500, 1.0, 9.0) == 0.5


def test_probabilistic_sharpe_ratio_when_more_observations_then_more_confident() -> None:
    values = [probabilistic_sharpe_ratio(0.05, 0.0, n, 0.0, 3.0) for n in (50, 200, 1000, 5000)]
    assert values == sorted(values) and values[-1] > 0.99 and values[0] < 0.7


def test_probabilistic_sharpe_ratio_when_fat_left_tail_then_lower_than_normal() -> None:
    normal = probabilistic_sharpe_ratio(0.1, 0.0, 300, 0.0, 3.0)
    fat = probabilistic_sharpe_ratio(0.1, 0.0, 300, -2.0, 15.0)
    assert fat < normal


def test_probabilistic_sharpe_ratio_when_one_observation_then_error_names_n_obs() -> None:
    with pytest.raises(OverfittingInputError, match="n_obs must be at least 2"):
        probabilistic_sharpe_ratio(0.1, 0.0, 1, 0.0, 3.0)


def test_probabilistic_sharpe_ratio_when_excess_kurtosis_passed_then_error_hints_at_it() -> None:
    # kurtosis 0 (excess of a normal) with SR=3 makes the variance term 1 - 0.25*9 < 0
    with pytest.raises(OverfittingInputError, match="excess"):
        probabilistic_sharpe_ratio(3.0, 0.0, 100, 0.0, 0.0)


def test_probabilistic_sharpe_ratio_when_nan_sharpe_then_error_names_argument() -> None:
    with pytest.raises(OverfittingInputError, match="sharpe must be finite"):
        probabilistic_sharpe_ratio(math.nan, 0.0, 100, 0.0, 3.0)


# --- expected maximum Sharpe ------------------------------------------------------------------------


def test_expected_max_sharpe_when_ten_trials_unit_variance_then_hand_value() -> None:
    # (1 - γ) Φ⁻¹(0.9) + γ Φ⁻¹(1 - 1/(10e)) = 0.4227843 * 1.2815516 + 0.5772157 * 1.7891520 = 1.5745983
    assert expected_max_sharpe(10, 1.0) == pytest.approx(1.5745983013, abs=1e-9)


def test_expected_max_sharpe_when_more_trials_then_larger() -> None:
    values = [expected_max_sharpe(n, 1.0) for n in (2, 10, 100, 1000, 100_000)]
    assert all(a < b for a, b in itertools.pairwise(values))


def test_expected_max_sharpe_when_variance_quadrupled_then_doubles() -> None:
    assert expected_max_sharpe(50, 4.0) == pytest.approx(2.0 * expected_max_sharpe(50, 1.0), rel=1e-14)


def test_expected_max_sharpe_when_one_trial_then_error_names_n_trials() -> None:
    with pytest.raises(OverfittingInputError, match="n_trials must be at least 2"):
        expected_max_sharpe(1, 1.0)


def test_expected_max_sharpe_when_negative_variance_then_error_names_variance() -> None:
    with pytest.raises(OverfittingInputError, match="sharpe_variance"):
        expected_max_sharpe(10, -0.1)


# --- deflated Sharpe ratio --------------------------------------------------------------------------


def _per_bar_sharpes(returns: np.ndarray) -> np.ndarray:
    return returns.mean(axis=0) / returns.std(axis=0, ddof=1)


def test_deflated_sharpe_ratio_when_best_of_pure_noise_then_low() -> None:
    rng = np.random.default_rng(7)
    returns = rng.normal(0.0, 0.01, size=(1000, 200))
    sharpes = _per_bar_sharpes(returns)
    best = returns[:, int(np.argmax(sharpes))]
    result = deflated_sharpe_ratio(best, sharpes)
    naive = probabilistic_sharpe_ratio(result.sharpe, 0.0, result.n_obs, result.skew, result.kurtosis)
    assert result.dsr < 0.5
    assert naive > 0.95  # the undeflated PSR is fooled by the selection; the DSR is not


def test_deflated_sharpe_ratio_when_real_drift_among_noise_then_high() -> None:
    rng = np.random.default_rng(8)
    returns = rng.normal(0.0, 0.01, size=(2000, 200))
    returns[:, 17] += 0.002  # a genuine edge: true Sharpe 0.2 per bar
    sharpes = _per_bar_sharpes(returns)
    assert int(np.argmax(sharpes)) == 17
    result = deflated_sharpe_ratio(returns[:, 17], sharpes)
    assert result.dsr > 0.95


def test_deflated_sharpe_ratio_when_computed_then_fields_are_consistent() -> None:
    rng = np.random.default_rng(9)
    returns = rng.normal(0.001, 0.01, size=(5000, 30))
    sharpes = _per_bar_sharpes(returns)
    result = deflated_sharpe_ratio(returns[:, 0], sharpes)
    assert result.sharpe == pytest.approx(sharpes[0], rel=1e-12)
    assert result.benchmark == pytest.approx(expected_max_sharpe(30, float(np.var(sharpes, ddof=1))))
    assert (result.n_obs, result.n_trials) == (5000, 30)
    assert abs(result.skew) < 0.15 and abs(result.kurtosis - 3.0) < 0.3
    expected = probabilistic_sharpe_ratio(result.sharpe, result.benchmark, 5000, result.skew, result.kurtosis)
    assert result.dsr == expected


def test_deflated_sharpe_ratio_when_trial_sharpes_identical_then_benchmark_zero() -> None:
    returns = np.array([0.01, -0.005, 0.02, 0.0, 0.003])
    result = deflated_sharpe_ratio(returns, np.full(5, 0.3))
    assert result.benchmark == 0.0
    assert result.dsr == pytest.approx(
        probabilistic_sharpe_ratio(result.sharpe, 0.0, 5, result.skew, result.kurtosis)
    )


def test_deflated_sharpe_ratio_when_one_trial_then_error_names_trials() -> None:
    with pytest.raises(OverfittingInputError, match="trial_sharpes needs at least 2"):
        deflated_sharpe_ratio(np.array([0.01, 0.02, -0.01]), np.array([0.1]))


def test_deflated_sharpe_ratio_when_two_returns_then_error_names_returns() -> None:
    with pytest.raises(OverfittingInputError, match="returns_of_best needs at least 3"):
        deflated_sharpe_ratio(np.array([0.01, 0.02]), np.array([0.1, 0.2]))


def test_deflated_sharpe_ratio_when_constant_returns_then_degenerate_error() -> None:
    with pytest.raises(DegenerateSampleError, match="constant"):
        deflated_sharpe_ratio(np.full(10, 0.001), np.array([0.1, 0.2]))


def test_deflated_sharpe_ratio_when_nan_in_returns_then_error_is_a_peak_and_value_error() -> None:
    with pytest.raises(OverfittingInputError, match="NaN") as info:
        deflated_sharpe_ratio(np.array([0.01, math.nan, 0.02]), np.array([0.1, 0.2]))
    assert isinstance(info.value, PeakError) and isinstance(info.value, ValueError)


# --- probability of backtest overfitting ------------------------------------------------------------


def _naive_logits(perf: np.ndarray, n_splits: int) -> np.ndarray:
    """Straight-from-the-definition CSCV: concatenate blocks, compute Sharpe, rank; slow but obvious."""
    n_trials = perf.shape[1]
    blocks = np.split(perf[perf.shape[0] % n_splits :], n_splits)
    logits = []
    for chosen in itertools.combinations(range(n_splits), n_splits // 2):
        ins = np.vstack([blocks[i] for i in chosen])
        oos = np.vstack([blocks[i] for i in range(n_splits) if i not in chosen])
        is_sharpe = ins.mean(axis=0) / ins.std(axis=0, ddof=1)
        oos_sharpe = oos.mean(axis=0) / oos.std(axis=0, ddof=1)
        rank = 1 + int((oos_sharpe < oos_sharpe[np.argmax(is_sharpe)]).sum())
        omega = rank / (n_trials + 1)
        logits.append(math.log(omega / (1 - omega)))
    return np.array(logits)


def test_probability_of_backtest_overfitting_when_small_case_then_matches_naive_definition() -> None:
    rng = np.random.default_rng(11)
    perf = rng.normal(0.0, 0.01, size=(125, 9))  # 125 % 6 = 5 oldest rows dropped
    result = probability_of_backtest_overfitting(perf, n_splits=6)
    expected = _naive_logits(perf, 6)
    np.testing.assert_allclose(result.logits, expected, rtol=0, atol=1e-12)
    assert result.pbo == float(np.mean(expected <= 0.0))
    assert (result.n_combinations, result.rows_used) == (20, 120)


def test_probability_of_backtest_overfitting_when_pure_noise_then_about_one_half() -> None:
    # A single noise panel's PBO swings widely (its splits share the same data), so average ten seeds.
    results = [
        probability_of_backtest_overfitting(np.random.default_rng(seed).normal(0.0, 0.01, size=(1600, 30)))
        for seed in range(10)
    ]
    assert all(r.n_combinations == 12_870 and r.logits.shape == (12_870,) for r in results)
    assert 0.3 < float(np.mean([r.pbo for r in results])) < 0.7


def test_probability_of_backtest_overfitting_when_one_trial_best_in_every_block_then_zero() -> None:
    rng = np.random.default_rng(13)
    perf = rng.normal(0.0, 0.01, size=(1600, 40))
    perf[:, 5] = 0.01 + rng.normal(0.0, 0.001, size=1600)  # Sharpe ~10 per bar in every block
    result = probability_of_backtest_overfitting(perf, n_splits=16)
    assert result.pbo == 0.0
    np.testing.assert_allclose(result.logits, math.log(40.0))


def test_probability_of_backtest_overfitting_when_winner_always_reverses_then_near_one() -> None:
    # Trial j earns +a in blocks where bit j of the block index is set and -a elsewhere: whatever wins
    # in-sample has, by construction, given back out-of-sample, so PBO must be high.
    n_splits, block_len = 8, 50
    rng = np.random.default_rng(14)
    signs = np.array([[1.0 if (b >> j) & 1 else -1.0 for j in range(3)] for b in range(n_splits)])
    perf = np.repeat(signs * 0.01, block_len, axis=0) + rng.normal(0.0, 0.001, (n_splits * block_len, 3))
    perf = np.hstack([perf, -perf])
    assert probability_of_backtest_overfitting(perf, n_splits=n_splits).pbo > 0.8


def test_probability_of_backtest_overfitting_when_trial_flat_then_its_sharpe_is_exactly_zero() -> None:
    # Every other trial loses in every half, so a never-trading trial (Sharpe exactly 0, not rounding
    # noise over a zero variance) must win in-sample and be best out-of-sample in every split.
    rng = np.random.default_rng(15)
    perf = rng.normal(-0.005, 0.01, size=(400, 6))
    perf[:, 4] = 0.0
    result = probability_of_backtest_overfitting(perf, n_splits=4)
    assert result.pbo == 0.0
    np.testing.assert_allclose(result.logits, math.log(6.0))


def test_probability_of_backtest_overfitting_when_logits_written_then_read_only() -> None:
    result = probability_of_backtest_overfitting(np.random.default_rng(16).normal(size=(40, 3)), n_splits=4)
    with pytest.raises(ValueError, match="read-only"):
        result.logits[0] = 1.0


@pytest.mark.parametrize(
    ("perf", "n_splits", "message"),
    [
        (np.zeros(100), 4, "T x N matrix"),
        (np.ones((100, 1)), 4, "at least 2 trials"),
        (np.ones((100, 3)), 5, "even number"),
        (np.ones((100, 3)), 0, "even number"),
        (np.ones((10, 3)), 16, "too few for 16 splits"),
        (np.full((100, 3), math.inf), 4, "NaN or infinite"),
    ],
)
def test_probability_of_backtest_overfitting_when_bad_input_then_error_names_problem(
    perf: np.ndarray, n_splits: int, message: str
) -> None:
    with pytest.raises(OverfittingInputError, match=message):
        probability_of_backtest_overfitting(perf, n_splits=n_splits)


def test_pbo_from_blocks_when_given_block_summaries_then_same_as_from_the_matrix() -> None:
    rng = np.random.default_rng(11)
    perf = rng.normal(0.0, 0.01, (803, 7)) + np.linspace(0.0, 0.001, 7)
    full = probability_of_backtest_overfitting(perf, 8)
    blocks = perf[3:].reshape(8, 100, 7)  # the oldest 803 mod 8 = 3 rows are dropped, as CSCV does
    means = blocks.mean(axis=1)
    m2s = ((blocks - means[:, None, :]) ** 2).sum(axis=1)
    streamed = pbo_from_blocks(means, m2s, 100)
    assert streamed.pbo == full.pbo and np.array_equal(streamed.logits, full.logits)
    assert streamed.rows_used == full.rows_used == 800


def test_pbo_from_blocks_when_shapes_disagree_or_odd_blocks_then_error() -> None:
    with pytest.raises(OverfittingInputError, match="S x N"):
        pbo_from_blocks(np.zeros((4, 3)), np.zeros((4, 2)), 10)
    with pytest.raises(OverfittingInputError, match="S even"):
        pbo_from_blocks(np.zeros((3, 3)), np.zeros((3, 3)), 10)
