"""Walk-forward analysis: choose parameters in-sample, test them on the next, unseen window, repeat.

Windows (``n`` bars, ``folds`` k, ``in_sample_ratio`` r): each out-of-sample (OOS) window has
``oos = n // (k + r)`` bars and the k OOS windows tile the end of the data; the first in-sample (IS)
window takes the ``n - k * oos`` bars before them. ``rolling`` slides an IS window of that length along
with each OOS window; ``anchored`` keeps the IS start at bar 0 so IS grows fold by fold.

Two modes:

- **optimise** (a single book with a grid): each fold runs the grid on its IS bars only, a slice that
  ends where OOS begins, so no choice can depend on OOS data; the winner then trades OOS with targets
  computed on all bars up to the OOS end (indicators are warm on its first bar; the target at bar t
  reads bars up to t only). Each OOS window starts flat with the previous window's final equity, and the
  windows are stitched into one OOS equity curve.
- **fixed** (any portfolio, no grid): the configured run is cut into the same windows; IS and OOS
  metrics show whether its performance holds up over time. Nothing is chosen, so nothing can leak.

Walk-forward efficiency = Sharpe of the stitched OOS curve / mean IS Sharpe (None when the mean IS Sharpe
is not positive); parameter stability = per parameter the share of folds that chose its most frequent
value and its coefficient of variation across folds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import Field

from peak.backtest import run_backtest
from peak.core.bars import Bars
from peak.core.config import FrozenModel
from peak.core.errors import ConfigError
from peak.core.progress import progress
from peak.core.results import BacktestResult, MetricValue, Trades
from peak.core.timeframe import Timeframe
from peak.metrics import compute_metrics
from peak.research.grid import Book, Objective, run_grid
from peak.research.grid_spec import Axis, GridValue, build_strategy
from peak.strategies import target_positions

Scheme = Literal["rolling", "anchored"]
MIN_OOS_BARS = 20
"""Fewest bars of an OOS window (fewer cannot support a Sharpe ratio)."""
MIN_IS_BARS = 50
"""Fewest bars of an IS window."""


class WalkForwardConfig(FrozenModel):
    """Windows and choice rule. Example: ``WalkForwardConfig(folds=10, scheme="anchored")``."""

    folds: int = Field(5, ge=2, le=200)
    scheme: Scheme = "rolling"
    in_sample_ratio: float = Field(3.0, gt=0.0, le=50.0)
    optimize: Objective = "sharpe"


@dataclass(frozen=True)
class Window:
    """Bar positions ``[is_start, is_stop)`` then ``[is_stop, oos_stop)`` of one fold."""

    index: int
    is_start: int
    is_stop: int
    oos_stop: int


def windows(n_bars: int, cfg: WalkForwardConfig) -> tuple[Window, ...]:
    """The folds' windows; raises ``ConfigError`` when the data is too short for them.

    Example: ``windows(1000, WalkForwardConfig(folds=2, in_sample_ratio=3))`` →
    ``(Window(0, 0, 600, 800), Window(1, 200, 800, 1000))``.
    """
    oos = int(n_bars // (cfg.folds + cfg.in_sample_ratio))
    first_is = n_bars - cfg.folds * oos
    if oos < MIN_OOS_BARS or first_is < MIN_IS_BARS:
        raise ConfigError(
            f"task.folds={cfg.folds} with task.in_sample_ratio={cfg.in_sample_ratio:g} on {n_bars} bars "
            "gives "
            f"{oos}-bar out-of-sample and {first_is}-bar in-sample windows; need >= {MIN_OOS_BARS} and "
            f">= {MIN_IS_BARS}: use fewer folds or more data"
        )
    out = []
    for i in range(cfg.folds):
        is_stop = first_is + i * oos
        start = 0 if cfg.scheme == "anchored" else is_stop - first_is
        out.append(Window(i, start, is_stop, is_stop + oos))
    return tuple(out)


@dataclass(frozen=True)
class Fold:
    """One fold: its window (bar times in ns), chosen parameters and IS / OOS metrics."""

    window: Window
    is_start_ts: int
    oos_start_ts: int
    oos_end_ts: int
    params: Mapping[str, GridValue]
    in_sample: Mapping[str, MetricValue]
    out_of_sample: Mapping[str, MetricValue]


@dataclass(frozen=True)
class WalkForwardReport:
    """Per-fold results, the stitched OOS curve and its metrics, efficiency and parameter stability."""

    mode: Literal["optimise", "fixed"]
    scheme: Scheme
    folds: tuple[Fold, ...]
    oos: BacktestResult
    oos_metrics: Mapping[str, MetricValue]
    efficiency: float | None
    stability: Mapping[str, Mapping[str, float]]


def _stitch(parts: Sequence[BacktestResult]) -> BacktestResult:
    def cat(name: str) -> np.ndarray:
        return np.concatenate([getattr(p.trades, name) for p in parts])

    trades = Trades(**{f: cat(f) for f in Trades.__dataclass_fields__})
    return BacktestResult(
        ts=np.concatenate([p.ts for p in parts]),
        equity=np.concatenate([p.equity for p in parts]),
        cash=np.concatenate([p.cash for p in parts]),
        units=np.concatenate([p.units for p in parts]),
        trades=trades,
        initial_cash=parts[0].initial_cash,
    )


def segment(result: BacktestResult, start: int, stop: int) -> BacktestResult:
    """Bars ``[start, stop)`` of a finished run as a run of their own: it starts with the equity at the
    previous close and keeps the trades that closed inside the window."""
    ts = result.ts[start:stop]
    t = result.trades
    keep = (t.exit_ts >= ts[0]) & (t.exit_ts <= ts[-1])
    trades = Trades(**{f: getattr(t, f)[keep] for f in Trades.__dataclass_fields__})
    base = float(result.equity[start - 1]) if start > 0 else result.initial_cash
    return BacktestResult(
        ts=ts,
        equity=result.equity[start:stop],
        cash=result.cash[start:stop],
        units=result.units[start:stop],
        trades=trades,
        initial_cash=base,
    )


def _stability(folds: Sequence[Fold]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name in folds[0].params if folds else ():
        values = [f.params[name] for f in folds]
        share = Counter(values).most_common(1)[0][1] / len(values)
        stats = {"mode_share": share}
        numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) == len(values):
            mean = float(np.mean(numbers))
            stats["cv"] = float(np.std(numbers)) / abs(mean) if mean != 0.0 else math.inf
        out[name] = stats
    return out


def _report(
    mode: Literal["optimise", "fixed"],
    cfg: WalkForwardConfig,
    folds: list[Fold],
    oos: BacktestResult,
    tf: Timeframe,
) -> WalkForwardReport:
    oos_metrics = compute_metrics(oos, tf)
    is_sharpes = [f.in_sample.get("sharpe") for f in folds]
    mean_is = float(np.mean([s if s is not None else 0.0 for s in is_sharpes]))
    oos_sharpe = oos_metrics.get("sharpe")
    efficiency = oos_sharpe / mean_is if oos_sharpe is not None and mean_is > 0.0 else None
    return WalkForwardReport(mode, cfg.scheme, tuple(folds), oos, oos_metrics, efficiency, _stability(folds))


def walk_forward_fixed(
    result: BacktestResult, timeframe: Timeframe, cfg: WalkForwardConfig
) -> WalkForwardReport:
    """Fixed mode: cut a finished run (any portfolio) into the folds' windows."""
    folds = []
    ts = result.ts
    for w in windows(ts.shape[0], cfg):
        folds.append(
            Fold(
                w,
                int(ts[w.is_start]),
                int(ts[w.is_stop]),
                int(ts[w.oos_stop - 1]),
                {},
                compute_metrics(segment(result, w.is_start, w.is_stop), timeframe),
                compute_metrics(segment(result, w.is_stop, w.oos_stop), timeframe),
            )
        )
    first_oos = folds[0].window.is_stop
    return _report("fixed", cfg, folds, segment(result, first_oos, ts.shape[0]), timeframe)


def walk_forward_optimise(
    bars: Bars,
    base_strategy: Mapping[str, Any],
    axes: Sequence[Axis],
    book: Book,
    cfg: WalkForwardConfig,
    workers: int = 0,
) -> WalkForwardReport:
    """Optimise mode: per fold, the grid on IS bars only, then the winner out of sample."""
    folds: list[Fold] = []
    parts: list[BacktestResult] = []
    cash = book.portfolio.initial_cash
    ts = bars.ts
    planned = windows(len(bars), cfg)
    with progress(len(planned), "walk-forward", "fold") as bar:
        for w in planned:
            # the grid receives a slice that ends at the last IS bar: OOS bars are out of its reach
            found = run_grid(
                bars.slice(w.is_start, w.is_stop),
                base_strategy,
                axes,
                book,
                objective=cfg.optimize,
                top_k=1,
                workers=workers,
                label=f"fold {w.index + 1} in-sample",
                overfitting=False,
            )
            best = found.top[0]
            strategy = build_strategy(base_strategy, best.params)
            target = target_positions(bars.slice(0, w.oos_stop), strategy)[w.is_stop :]
            portfolio = book.portfolio.model_copy(update={"initial_cash": cash})
            oos = run_backtest(
                bars.slice(w.is_stop, w.oos_stop),
                strategy=strategy,
                execution=book.execution,
                portfolio=portfolio,
                risk=book.risk,
                data_fingerprint="",
                target=target,
            )
            parts.append(oos.backtest)
            cash = float(oos.backtest.equity[-1])
            folds.append(
                Fold(
                    w,
                    int(ts[w.is_start]),
                    int(ts[w.is_stop]),
                    int(ts[w.oos_stop - 1]),
                    dict(best.params),
                    best.metrics,
                    oos.metrics,
                )
            )
            bar.advance()
    return _report("optimise", cfg, folds, _stitch(parts), bars.timeframe)
