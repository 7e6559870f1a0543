"""Monte-Carlo resampling of a finished backtest: how much of its result is luck of the ordering?

Three methods, chosen by ``MonteCarloConfig.method``:

- ``iid_bootstrap``: draw the per-bar returns ``bar_returns(result.equity)`` with replacement.
- ``block_bootstrap``: circular fixed-length block bootstrap (Politis and Romano's circular variant of the
  moving-block bootstrap): each path is built from blocks of ``block_size`` consecutive returns whose
  starts are drawn uniformly, wrapping from the last return to the first; the final block is cut to
  length. Fixed blocks (not the stationary bootstrap's random lengths) keep volatility clusters of a known
  size intact and make ``block_size`` mean exactly what it says.
- ``trade_reshuffle``: permute the closed trades' returns (``result.trades.ret``) and compound them in the
  new order from the initial equity. Compounding is a product, so the final return is the same on every
  path (a zero spread is correct, not a bug); so are the mean and standard deviation of the trade returns,
  hence the per-trade Sharpe. What reshuffling moves is the path: drawdown and ruin.

Per path the engine reports the final return, the max drawdown and the annualised Sharpe (risk-free 0,
the same formula as ``peak.metrics.sharpe_ratio``), plus whether equity ever fell below
``(1 - ruin_threshold) * initial`` (ruin). Memory stays bounded: paths are simulated in chunks of at most
``CHUNK_ELEMENTS`` drawn indices (about 32 MB of int64) by a numba kernel that walks each path once and
keeps only five numbers per path plus its equity at the ``FAN_STEPS`` fan points; no paths × bars array
of returns or equity is ever built. The fan uses the first ``FAN_MAX_PATHS`` paths.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numba import njit, prange
from pydantic import Field, ValidationInfo, field_validator

from peak.core.config import FrozenModel
from peak.core.errors import PeakError
from peak.core.progress import progress
from peak.core.results import BacktestResult
from peak.metrics.returns import bar_returns, max_drawdown, sharpe_ratio

Method = Literal["trade_reshuffle", "iid_bootstrap", "block_bootstrap"]

DEFAULT_BLOCK_BARS = 24 * 7
"""Block length of the block bootstrap when ``block_size`` is not set: one week of hourly bars."""
MIN_TRADES = 2
"""Fewest closed trades a reshuffle accepts (one trade has a single ordering)."""
MIN_RETURNS = 2
"""Fewest per-bar returns a bootstrap accepts (Sharpe needs two); block bootstrap needs two blocks."""
CHUNK_ELEMENTS = 1 << 22
"""Drawn indices per chunk (4 Mi int64 = 32 MB); bounds memory whatever ``paths`` is."""
MIN_CHUNK_PATHS = 8
"""Paths per chunk at least, so both cores of the parallel kernel have work."""
FAN_STEPS = 200
"""Most points along the path at which the equity fan is sampled."""
FAN_PERCENTILES: tuple[float, ...] = (5.0, 50.0, 95.0)
"""Equity percentiles of the fan, in percent."""
FAN_MAX_PATHS = 20_000
"""Paths that feed the fan (20 000 × 200 float64 = 32 MB at most)."""


class MonteCarloError(PeakError):
    """The backtest result cannot be resampled as configured."""

    exit_code = 3


class InsufficientSampleError(MonteCarloError):
    """Too few trades or bars for the method. ``method``, ``count`` and ``minimum`` say which and how many."""

    def __init__(self, method: str, unit: str, count: int, minimum: int) -> None:
        self.method, self.count, self.minimum = method, count, minimum
        super().__init__(f"{method} needs at least {minimum} {unit}; the backtest has {count}")


class MonteCarloConfig(FrozenModel):
    """How to resample. Example: ``MonteCarloConfig(method="block_bootstrap", paths=3000, block_size=168)``.

    ``paths`` resampled paths (100 to 1 000 000); ``block_size`` in bars, block bootstrap only (None means
    ``DEFAULT_BLOCK_BARS`` = 168); ``seed`` for ``numpy.random.default_rng``; ``ruin_threshold`` is the
    fraction of initial equity whose loss counts as ruin (0.5 = equity below half the start);
    ``percentiles`` in percent, strictly increasing, e.g. ``(5, 25, 50, 75, 95)``.
    """

    method: Method = "block_bootstrap"
    paths: int = Field(1000, ge=100, le=1_000_000)
    block_size: int | None = Field(None, ge=2)
    seed: int = 0
    ruin_threshold: float = Field(0.5, gt=0.0, lt=1.0)
    percentiles: tuple[float, ...] = (5.0, 25.0, 50.0, 75.0, 95.0)

    @field_validator("block_size")
    @classmethod
    def _check_block_size(cls, value: int | None, info: ValidationInfo) -> int | None:
        method = info.data.get("method")
        if value is not None and method != "block_bootstrap":
            raise ValueError(f"block_size is only used by method block_bootstrap (method is {method})")
        return value

    @field_validator("percentiles")
    @classmethod
    def _check_percentiles(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value or any(not 0.0 <= p <= 100.0 for p in value):
            raise ValueError(f"percentiles must be a non-empty list of values in [0, 100]; got {value}")
        if any(b <= a for a, b in itertools.pairwise(value)):
            raise ValueError(f"percentiles must be strictly increasing; got {value}")
        return value

    @property
    def block_bars(self) -> int:
        """Block length actually used: 1 for non-block methods, else ``block_size`` or 168 bars."""
        if self.method != "block_bootstrap":
            return 1
        return self.block_size or DEFAULT_BLOCK_BARS


@dataclass(frozen=True)
class MetricDistribution:
    """One metric across paths. ``original`` is the unresampled value (NaN where undefined, e.g. a flat
    Sharpe); ``mean``/``std`` (ddof=1) and ``values`` at ``percentiles`` ignore undefined paths.
    Example: ``report.max_drawdown.at(95)`` → 0.41 (a 41 % fall in the worst 5 % of paths)."""

    original: float
    mean: float
    std: float
    percentiles: tuple[float, ...]
    values: tuple[float, ...]

    def at(self, percentile: float) -> float:
        """The value at ``percentile`` (one of ``percentiles``), e.g. ``at(50)`` for the median."""
        return self.values[self.percentiles.index(float(percentile))]


@dataclass(frozen=True, eq=False)
class MonteCarloReport:
    """Result of ``run_monte_carlo``. Returns and drawdowns are fractions (0.25 = 25 %), Sharpe annualised.

    ``ruin_probability`` is the share of paths whose equity ever fell below ``(1 - ruin_threshold) *
    initial`` (0.0 to 1.0); ``original_ruined`` says whether the unresampled path did. The fan is
    ``fan[i, j]``: the ``fan_percentiles[i]`` equity (quote currency) after ``fan_steps[j]`` bars
    (``fan_axis == "bar"``; ``result.ts[fan_steps]`` gives times) or trades (``"trade"``).
    """

    method: str
    paths: int
    seed: int
    block_size: int
    final_return: MetricDistribution
    max_drawdown: MetricDistribution
    sharpe: MetricDistribution
    ruin_probability: float
    original_ruined: bool
    fan_axis: str
    fan_steps: np.ndarray
    fan_percentiles: tuple[float, ...]
    fan: np.ndarray


@dataclass(frozen=True, eq=False)
class _Sample:
    """What gets resampled: ``returns`` (fractions), their annualisation and the unresampled metrics."""

    returns: np.ndarray
    per_year: float
    start: float
    original: tuple[float, float, float, bool]
    axis: str


@njit(cache=True, parallel=True)
def _resample_chunk(
    r: np.ndarray,
    starts: np.ndarray,
    block: int,
    shift: float,
    steps: np.ndarray,
    out: np.ndarray,
    fan: np.ndarray,
) -> None:
    """Walk each path of ``starts`` (block starts into ``r``, wrapping) compounding from equity 1.0.

    Writes ``out[p] = (final return, max drawdown, mean return, std return ddof=1, lowest equity)`` and
    ``fan[p, k]`` = equity after ``steps[k]`` returns. Sums are shifted by ``shift`` for precision.
    """
    length = r.shape[0]
    n_paths, n_blocks = starts.shape
    for p in prange(n_paths):
        eq, peak, worst, low, s1, s2 = 1.0, 1.0, 0.0, 1.0, 0.0, 0.0
        k, j = 0, 0
        if steps[0] == 0:
            fan[p, 0] = 1.0
            k = 1
        for b in range(n_blocks):
            idx = starts[p, b]
            for _ in range(block):
                if j == length:
                    break
                x = r[idx]
                idx = idx + 1 if idx + 1 < length else 0
                eq *= 1.0 + x
                if eq > peak:
                    peak = eq
                else:
                    worst = max(worst, 1.0 - eq / peak)
                    low = min(low, eq)
                d = x - shift
                s1 += d
                s2 += d * d
                j += 1
                if k < steps.shape[0] and steps[k] == j:
                    fan[p, k] = eq
                    k += 1
        n = float(length)
        out[p, 0] = eq - 1.0
        out[p, 1] = worst
        out[p, 2] = shift + s1 / n
        out[p, 3] = math.sqrt(max((s2 - s1 * s1 / n) / (n - 1.0), 0.0))
        out[p, 4] = low


def _sample(result: BacktestResult, bars_per_year: float, cfg: MonteCarloConfig) -> _Sample:
    """The returns to resample and the original metrics; raises when the sample is too small."""
    equity = np.asarray(result.equity, dtype=np.float64)
    start = float(equity[0]) if equity.shape[0] else float(result.initial_cash)
    floor = (1.0 - cfg.ruin_threshold) * start
    years = equity.shape[0] / bars_per_year
    if cfg.method == "trade_reshuffle":
        ret = np.ascontiguousarray(result.trades.ret, dtype=np.float64)
        if ret.shape[0] < MIN_TRADES:
            raise InsufficientSampleError(cfg.method, "closed trades", int(ret.shape[0]), MIN_TRADES)
        path = start * np.concatenate(([1.0], np.cumprod(1.0 + ret)))
        per_year = ret.shape[0] / years
        sharpe = sharpe_ratio(ret, per_year)
        original = (float(path[-1] / start - 1.0), max_drawdown(path), _nan(sharpe), bool(path.min() < floor))
        return _Sample(ret, per_year, start, original, "trade")
    needed = max(MIN_RETURNS, 2 * cfg.block_bars)
    if equity.shape[0] - 1 < needed:
        raise InsufficientSampleError(cfg.method, "bar returns", max(equity.shape[0] - 1, 0), needed)
    r = bar_returns(equity)
    if not np.isfinite(r).all():
        raise MonteCarloError(f"{cfg.method}: equity hits zero or is not finite; bar returns are undefined")
    sharpe = sharpe_ratio(r, bars_per_year)
    original = (
        float(equity[-1] / start - 1.0),
        max_drawdown(equity),
        _nan(sharpe),
        bool(equity.min() < floor),
    )
    return _Sample(r, bars_per_year, start, original, "bar")


def _nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def _fan_steps(length: int) -> np.ndarray:
    """Up to ``FAN_STEPS`` evenly spaced points from 0 (the start) to ``length`` returns, no repeats."""
    return np.unique(np.round(np.linspace(0, length, min(FAN_STEPS, length + 1))).astype(np.int64))


def _draw(rng: np.random.Generator, method: str, length: int, n_blocks: int, rows: int) -> np.ndarray:
    """Block starts (indices into the returns) for ``rows`` paths: a permutation per row for reshuffle."""
    if method == "trade_reshuffle":
        return rng.permuted(np.tile(np.arange(length, dtype=np.int64), (rows, 1)), axis=1)
    return rng.integers(0, length, size=(rows, n_blocks), dtype=np.int64)


def _simulate(sample: _Sample, cfg: MonteCarloConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-path ``(paths, 5)`` kernel output, fan steps and the fan paths' equity, chunk by chunk."""
    r = sample.returns
    length, block = r.shape[0], cfg.block_bars
    n_blocks = -(-length // block)
    steps = _fan_steps(length)
    fan_rows = min(cfg.paths, FAN_MAX_PATHS)
    out = np.empty((cfg.paths, 5))
    fan_paths = np.empty((fan_rows, steps.shape[0]))
    rows = max(MIN_CHUNK_PATHS, CHUNK_ELEMENTS // n_blocks)
    rng = np.random.default_rng(cfg.seed)
    shift = float(np.mean(r))
    with progress(cfg.paths, f"monte carlo ({cfg.method})", unit="path") as bar:
        for lo in range(0, cfg.paths, rows):
            hi = min(lo + rows, cfg.paths)
            starts = _draw(rng, cfg.method, length, n_blocks, hi - lo)
            fan = np.empty((hi - lo, steps.shape[0]))
            _resample_chunk(r, starts, block, shift, steps, out[lo:hi], fan)
            if lo < fan_rows:
                keep = min(hi, fan_rows) - lo
                fan_paths[lo : lo + keep] = fan[:keep]
            bar.advance(hi - lo)
    return out, steps, fan_paths


def _distribution(original: float, values: np.ndarray, percentiles: tuple[float, ...]) -> MetricDistribution:
    """Summary of ``values`` over the paths where it is defined (finite)."""
    finite = values[np.isfinite(values)]
    pcts = tuple(float(p) for p in percentiles)
    if finite.shape[0] == 0:
        return MetricDistribution(original, math.nan, math.nan, pcts, tuple(math.nan for _ in pcts))
    std = float(np.std(finite, ddof=1)) if finite.shape[0] > 1 else 0.0
    at = tuple(float(v) for v in np.percentile(finite, pcts))
    return MetricDistribution(original, float(np.mean(finite)), std, pcts, at)


def run_monte_carlo(
    result: BacktestResult, bars_per_year: float, cfg: MonteCarloConfig | None = None
) -> MonteCarloReport:
    """Resample ``result`` ``cfg.paths`` times and summarise final return, max drawdown, Sharpe and ruin.

    ``bars_per_year`` is the bar frequency (8760 for hourly): it annualises the bar Sharpe of the
    bootstraps, and for ``trade_reshuffle`` gives the sample length ``years = len(equity) / bars_per_year``
    whence trades per year ``= n_trades / years`` annualises the per-trade Sharpe. Initial equity is
    ``result.equity[0]`` (equal to ``initial_cash`` for the engine). Same ``cfg`` → identical report.
    Example: ``run_monte_carlo(res, 8760.0, MonteCarloConfig(paths=3000)).max_drawdown.at(95)`` → 0.52.

    Raises ``InsufficientSampleError`` with fewer than 2 closed trades (reshuffle) or fewer than
    ``max(2, 2 * block_size)`` bar returns (bootstraps), and ``MonteCarloError`` for a non-finite curve.
    """
    if not bars_per_year > 0.0:
        raise ValueError(f"bars_per_year must be positive; got {bars_per_year}")
    cfg = cfg or MonteCarloConfig()
    sample = _sample(result, bars_per_year, cfg)
    out, steps, fan_paths = _simulate(sample, cfg)
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpe = np.where(out[:, 3] > 0.0, out[:, 2] / out[:, 3] * math.sqrt(sample.per_year), math.nan)
    final, mdd, ruined_before = sample.original[0], sample.original[1], sample.original[3]
    fan = np.percentile(fan_paths, FAN_PERCENTILES, axis=0) * sample.start
    return MonteCarloReport(
        method=cfg.method,
        paths=cfg.paths,
        seed=cfg.seed,
        block_size=cfg.block_bars,
        final_return=_distribution(final, out[:, 0], cfg.percentiles),
        max_drawdown=_distribution(mdd, out[:, 1], cfg.percentiles),
        sharpe=_distribution(sample.original[2], sharpe, cfg.percentiles),
        ruin_probability=float(np.mean(out[:, 4] < 1.0 - cfg.ruin_threshold)),
        original_ruined=ruined_before,
        fan_axis=sample.axis,
        fan_steps=steps,
        fan_percentiles=FAN_PERCENTILES,
        fan=fan,
    )
