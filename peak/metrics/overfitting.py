"""Overfitting statistics for strategy selection: probabilistic and deflated Sharpe ratios, and the
probability of backtest overfitting (PBO) by combinatorially symmetric cross-validation (CSCV).

Every Sharpe ratio here is **per observation** (per bar), not annualised, and kurtosis is the plain
(non-excess) fourth standardised moment, so a normal sample has kurtosis 3. Formulas and edge cases:
docs/metrics.md, sections ``deflated_sharpe`` and ``pbo``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from peak.core.errors import PeakError

EULER_GAMMA = 0.5772156649015329
"""The Euler–Mascheroni constant, used by :func:`expected_max_sharpe`."""

_CHUNK = 2048  # CSCV combinations evaluated per vectorised step (bounds memory for large n_splits)
_CHUNK_ELEMENTS = 1 << 17  # cap on combinations x trials per step: 1 MB per float64 array


class OverfittingInputError(PeakError, ValueError):
    """An input to an overfitting statistic has the wrong shape, size or a non-finite value.

    Also a ``ValueError`` so numeric callers can catch it the usual way. The message names the argument.
    """


class DegenerateSampleError(OverfittingInputError):
    """The sample has zero variance, so its Sharpe ratio (and everything built on it) is undefined."""


# --- the standard normal distribution --------------------------------------------------------------

# Rational approximation of the lower half of the inverse normal CDF (P. J. Acklam), relative error
# about 1e-9 before refinement.
_CENTRAL_NUM = (
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.3577518672690,
    -30.66479806614716,
    2.506628277459239,
)
_CENTRAL_DEN = (
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
    1.0,
)
_TAIL_NUM = (
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
)
_TAIL_DEN = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416, 1.0)
_TAIL_SPLIT = 0.02425


def _horner(coefficients: tuple[float, ...], x: float) -> float:
    acc = 0.0
    for c in coefficients:
        acc = acc * x + c
    return acc


def normal_cdf(x: float) -> float:
    """Standard normal cumulative distribution Φ(x), accurate to a few ulps in both tails.

    Example: ``normal_cdf(1.959963984540054)`` → ``0.975``.
    """
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def normal_inv_cdf(p: float) -> float:
    """Inverse of the standard normal CDF, Φ⁻¹(p) for 0 < p < 1, accurate to about 1e-15.

    Acklam's rational approximation followed by one Halley step on Φ(x) - p, evaluated in the lower
    half (p > 0.5 uses the symmetry Φ⁻¹(p) = -Φ⁻¹(1 - p), and 1 - p is exact there).
    Raises :class:`OverfittingInputError` outside (0, 1). Example: ``normal_inv_cdf(0.975)`` → ``1.95996``.
    """
    if not 0.0 < p < 1.0:
        raise OverfittingInputError(f"normal_inv_cdf: p must lie strictly between 0 and 1, got {p!r}")
    if p > 0.5:
        return -_lower_inv_cdf(1.0 - p)
    return _lower_inv_cdf(p)


def _lower_inv_cdf(p: float) -> float:
    """Φ⁻¹(p) for 0 < p <= 0.5 (result <= 0)."""
    if p == 0.5:
        return 0.0
    if p < _TAIL_SPLIT:
        q = math.sqrt(-2.0 * math.log(p))
        x = _horner(_TAIL_NUM, q) / _horner(_TAIL_DEN, q)
    else:
        q = p - 0.5
        r = q * q
        x = q * _horner(_CENTRAL_NUM, r) / _horner(_CENTRAL_DEN, r)
    density = math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    if density == 0.0:  # below about -38.5: the approximation is already as good as a double allows
        return x
    u = (normal_cdf(x) - p) / density
    return x - u / (1.0 + 0.5 * x * u)


# --- probabilistic and deflated Sharpe ratio --------------------------------------------------------


def probabilistic_sharpe_ratio(
    sharpe: float, benchmark: float, n_obs: int, skew: float, kurtosis: float
) -> float:
    """Probability that the true Sharpe ratio exceeds ``benchmark``, given an observed ``sharpe``.

    ``Φ((SR - SR*) * sqrt(n_obs - 1) / sqrt(1 - skew * SR + (kurtosis - 1) / 4 * SR²))``, with both
    Sharpe ratios per observation (not annualised) and non-excess kurtosis (3 for a normal sample).
    Raises :class:`OverfittingInputError` for ``n_obs < 2``, a non-finite input or a non-positive
    variance term (only possible when ``kurtosis < 1 + skew²``, which no real sample produces).

    Example: ``probabilistic_sharpe_ratio(0.1, 0.0, 101, 0.0, 3.0)`` → ``0.8407`` (a probability).
    """
    values = {"sharpe": sharpe, "benchmark": benchmark, "skew": skew, "kurtosis": kurtosis}
    for name, value in values.items():
        if not math.isfinite(value):
            raise OverfittingInputError(f"probabilistic_sharpe_ratio: {name} must be finite, got {value!r}")
    if n_obs < 2:
        raise OverfittingInputError(f"probabilistic_sharpe_ratio: n_obs must be at least 2, got {n_obs}")
    variance_term = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe * sharpe
    if variance_term <= 0.0:
        raise OverfittingInputError(
            f"probabilistic_sharpe_ratio: 1 - skew*SR + (kurtosis-1)/4*SR² = {variance_term:.3g} is not "
            f"positive (skew={skew}, kurtosis={kurtosis}); is kurtosis excess instead of plain?"
        )
    z = (sharpe - benchmark) * math.sqrt(n_obs - 1) / math.sqrt(variance_term)
    return normal_cdf(z)


def expected_max_sharpe(n_trials: int, sharpe_variance: float) -> float:
    """Expected maximum of ``n_trials`` independent Sharpe ratios whose true value is 0 (the null).

    ``sqrt(V) * ((1 - γ) * Φ⁻¹(1 - 1/N) + γ * Φ⁻¹(1 - 1/(N e)))`` with γ the Euler–Mascheroni constant
    and V the variance of the trials' Sharpe ratios, per observation. Raises
    :class:`OverfittingInputError` for ``n_trials < 2`` or a negative / non-finite variance.

    Example: ``expected_max_sharpe(10, 1.0)`` → ``1.5746`` (Sharpe per observation).
    """
    if n_trials < 2:
        raise OverfittingInputError(f"expected_max_sharpe: n_trials must be at least 2, got {n_trials}")
    if not (math.isfinite(sharpe_variance) and sharpe_variance >= 0.0):
        raise OverfittingInputError(
            f"expected_max_sharpe: sharpe_variance must be finite and >= 0, got {sharpe_variance!r}"
        )
    quantiles = (1.0 - EULER_GAMMA) * normal_inv_cdf(1.0 - 1.0 / n_trials) + EULER_GAMMA * normal_inv_cdf(
        1.0 - 1.0 / (n_trials * math.e)
    )
    return math.sqrt(sharpe_variance) * quantiles


@dataclass(frozen=True)
class DeflatedSharpe:
    """Result of :func:`deflated_sharpe_ratio`. Sharpe ratios are per observation (per bar).

    ``dsr``: probability (0..1) that the selected trial's true Sharpe exceeds ``benchmark``, e.g. 0.97.
    ``benchmark``: SR0, the expected best Sharpe of ``n_trials`` skill-less trials, e.g. 0.08.
    ``sharpe``: observed Sharpe of the selected trial; ``skew`` / ``kurtosis`` (non-excess) of its
    returns; ``n_obs``: number of its returns; ``n_trials``: number of trials searched.
    """

    dsr: float
    benchmark: float
    sharpe: float
    skew: float
    kurtosis: float
    n_obs: int
    n_trials: int


def _finite_vector(values: np.ndarray, name: str, minimum: int) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise OverfittingInputError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.shape[0] < minimum:
        raise OverfittingInputError(f"{name} needs at least {minimum} values, got {arr.shape[0]}")
    if not np.isfinite(arr).all():
        raise OverfittingInputError(f"{name} contains NaN or infinite values")
    return arr


def deflated_sharpe_ratio(returns_of_best: np.ndarray, trial_sharpes: np.ndarray) -> DeflatedSharpe:
    """Deflated Sharpe ratio of the best of several trials: the PSR against SR0 = expected max Sharpe.

    ``returns_of_best``: per-bar returns (fractions) of the selected trial; its Sharpe is
    ``mean / std(ddof=1)``, skew and kurtosis are population moments. ``trial_sharpes``: per-bar Sharpe
    ratio of every trial searched, the selected one included; their variance uses ddof=1.

    Raises :class:`OverfittingInputError` with fewer than 3 returns, fewer than 2 trials or non-finite
    values, and :class:`DegenerateSampleError` when the selected returns are constant. Trials whose
    Sharpe ratios are all equal give SR0 = 0 (nothing was gained by choosing), so the DSR is then the
    PSR against zero.

    Example: ``deflated_sharpe_ratio(best_returns, sharpes).dsr`` → ``0.97``.
    """
    r = _finite_vector(returns_of_best, "deflated_sharpe_ratio: returns_of_best", 3)
    sharpes = _finite_vector(trial_sharpes, "deflated_sharpe_ratio: trial_sharpes", 2)
    if r.max() == r.min():
        raise DegenerateSampleError("deflated_sharpe_ratio: returns_of_best are constant; Sharpe undefined")
    centred = r - r.mean()
    m2 = float(np.mean(centred**2))
    sharpe = float(r.mean()) / float(np.std(r, ddof=1))
    skew = float(np.mean(centred**3)) / m2**1.5
    kurtosis = float(np.mean(centred**4)) / m2**2
    benchmark = expected_max_sharpe(sharpes.shape[0], float(np.var(sharpes, ddof=1)))
    dsr = probabilistic_sharpe_ratio(sharpe, benchmark, r.shape[0], skew, kurtosis)
    return DeflatedSharpe(dsr, benchmark, sharpe, skew, kurtosis, r.shape[0], sharpes.shape[0])


# --- probability of backtest overfitting (CSCV) -----------------------------------------------------


@dataclass(frozen=True, eq=False)
class BacktestOverfitting:
    """Result of :func:`probability_of_backtest_overfitting`.

    ``pbo``: share (0..1) of in-sample / out-of-sample splits where the in-sample winner ranks at or
    below the out-of-sample median, e.g. 0.12. ``logits``: λ per split (read-only array, one per
    combination, in ``itertools.combinations`` order). ``n_combinations``: C(n_splits, n_splits / 2),
    12,870 for 16 splits. ``n_splits``: S; ``rows_used``: rows kept after dropping the oldest remainder.
    """

    pbo: float
    logits: np.ndarray
    n_combinations: int
    n_splits: int
    rows_used: int


def _check_performance(performance: np.ndarray, n_splits: int) -> np.ndarray:
    name = "probability_of_backtest_overfitting"
    perf = np.asarray(performance, dtype=np.float64)
    if perf.ndim != 2:
        raise OverfittingInputError(f"{name}: performance must be a T x N matrix, got shape {perf.shape}")
    if n_splits < 2 or n_splits % 2:
        raise OverfittingInputError(f"{name}: n_splits must be an even number >= 2, got {n_splits}")
    n_rows, n_trials = perf.shape
    if n_trials < 2:
        raise OverfittingInputError(f"{name}: performance needs at least 2 trials (columns), got {n_trials}")
    if n_rows < n_splits or (n_splits // 2) * (n_rows // n_splits) < 2:
        raise OverfittingInputError(
            f"{name}: performance has {n_rows} rows, too few for {n_splits} splits "
            f"(each half needs at least 2 rows)"
        )
    if not np.isfinite(perf).all():
        raise OverfittingInputError(f"{name}: performance contains NaN or infinite values")
    return perf


def _sharpe(mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """mean / sqrt(var); a zero variance gives 0 for a zero mean, else ±inf (the limit)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = mean / np.sqrt(var)
    limit = np.where(mean > 0.0, np.inf, np.where(mean < 0.0, -np.inf, 0.0))
    return np.where(var > 0.0, ratio, limit)


def _half_sharpe(
    mask: np.ndarray, pairs: np.ndarray, stats: tuple[np.ndarray, np.ndarray, np.ndarray], block_len: int
) -> np.ndarray:
    """Sharpe of every trial over the blocks selected by each row of ``mask`` (rows x N).

    Blocks are pooled exactly: the sum of squared deviations is the within-block part plus the
    between-block part, written as squared differences of block means over pairs of chosen blocks, so a
    trial that is constant over the chosen blocks gets a variance of exactly zero.
    """
    block_mean, block_m2, pair_d2 = stats
    k = mask.shape[1] // 2
    n = k * block_len
    both = mask[:, pairs[:, 0]] * mask[:, pairs[:, 1]]
    mean = mask @ block_mean / k
    m2 = mask @ block_m2 + block_len * (both @ pair_d2) / k
    return _sharpe(mean, np.maximum(m2, 0.0) / (n - 1))


def _logits(is_sharpe: np.ndarray, oos_sharpe: np.ndarray) -> np.ndarray:
    """λ = ln(ω / (1 - ω)), ω = OOS rank of the IS winner / (N + 1); ties share their average rank."""
    rows = np.arange(is_sharpe.shape[0])
    winner = np.argmax(is_sharpe, axis=1)
    chosen = oos_sharpe[rows, winner][:, None]
    below = (oos_sharpe < chosen).sum(axis=1)
    equal_others = (oos_sharpe == chosen).sum(axis=1) - 1
    omega = (1.0 + below + 0.5 * equal_others) / (is_sharpe.shape[1] + 1.0)
    return np.log(omega / (1.0 - omega))


def probability_of_backtest_overfitting(performance: np.ndarray, n_splits: int = 16) -> BacktestOverfitting:
    """Probability of backtest overfitting by combinatorially symmetric cross-validation (CSCV).

    ``performance``: T x N matrix of per-period returns, rows = time (oldest first), columns = trials.
    The oldest ``T mod n_splits`` rows are dropped and the rest cut into ``n_splits`` (S, even) equal
    contiguous blocks. For every choice of S/2 blocks as in-sample (the rest out-of-sample) the trial
    with the best in-sample Sharpe (mean / std, ddof=1) is ranked out-of-sample; PBO is the share of
    splits whose logit λ = ln(ω / (1 - ω)) is <= 0, ω = rank / (N + 1) with rank N the best.
    In-sample ties go to the lowest column. Raises :class:`OverfittingInputError` for a non-matrix,
    fewer than 2 trials, an odd or < 2 ``n_splits``, too few rows or non-finite values.

    Example: ``probability_of_backtest_overfitting(returns_matrix).pbo`` → ``0.12``.
    """
    perf = _check_performance(performance, n_splits)
    block_len = perf.shape[0] // n_splits
    kept = perf[perf.shape[0] - block_len * n_splits :]
    blocks = kept.reshape(n_splits, block_len, perf.shape[1])
    block_mean = blocks.mean(axis=1)
    block_m2 = ((blocks - block_mean[:, None, :]) ** 2).sum(axis=1)
    return pbo_from_blocks(block_mean, block_m2, block_len)


def pbo_from_blocks(block_mean: np.ndarray, block_m2: np.ndarray, block_len: int) -> BacktestOverfitting:
    """CSCV from per-block summaries: ``block_mean`` and ``block_m2`` (sum of squared deviations from the
    block mean) are S x N, one row per contiguous block of ``block_len`` returns, oldest first.

    The same statistic as :func:`probability_of_backtest_overfitting`, for callers that stream returns and
    never hold the T x N matrix (an in-process grid keeps 2 x S numbers per trial instead of T).
    Example: ``pbo_from_blocks(means, m2s, 2_000).pbo`` → ``0.12``.
    """
    means = np.asarray(block_mean, dtype=np.float64)
    m2s = np.asarray(block_m2, dtype=np.float64)
    n_splits = means.shape[0] if means.ndim == 2 else 0
    if means.ndim != 2 or m2s.shape != means.shape or n_splits < 2 or n_splits % 2 or means.shape[1] < 2:
        raise OverfittingInputError(
            "pbo_from_blocks: needs two S x N arrays with S even >= 2 and N >= 2; "
            f"got {means.shape}, {m2s.shape}"
        )
    if (n_splits // 2) * block_len < 2:
        raise OverfittingInputError("pbo_from_blocks: each half needs at least 2 returns")
    if not (np.isfinite(means).all() and np.isfinite(m2s).all()):
        raise OverfittingInputError("pbo_from_blocks: block statistics contain NaN or infinite values")
    pairs = np.array(list(itertools.combinations(range(n_splits), 2)))
    pair_d2 = (means[pairs[:, 0]] - means[pairs[:, 1]]) ** 2
    stats = (means, m2s, pair_d2)
    combos = np.array(list(itertools.combinations(range(n_splits), n_splits // 2)))
    total = combos.shape[0]
    logits = np.empty(total)
    # In lexicographic order the complement of split i is split total-1-i, so one pass over the first
    # half yields both halves' Sharpes for two splits at once: each split's OOS is its mirror's IS.
    rows = max(16, min(_CHUNK, _CHUNK_ELEMENTS // means.shape[1]))
    for start in range(0, total // 2, rows):
        index = np.arange(start, min(start + rows, total // 2))
        mask = np.zeros((index.shape[0], n_splits))
        mask[np.arange(index.shape[0])[:, None], combos[index]] = 1.0
        first = _half_sharpe(mask, pairs, stats, block_len)
        mirror = _half_sharpe(1.0 - mask, pairs, stats, block_len)
        logits[index] = _logits(first, mirror)
        logits[total - 1 - index] = _logits(mirror, first)
    logits.setflags(write=False)
    pbo = float(np.mean(logits <= 0.0))
    return BacktestOverfitting(pbo, logits, logits.shape[0], n_splits, n_splits * block_len)
