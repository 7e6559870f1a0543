"""The in-process grid: every cell of a strategy-parameter grid backtested on one dataset, in one process.

Cells run on a thread pool (the numba kernels release the GIL) with indicators shared between cells
(``grid_signals``). Results stream: each finished cell's row goes to the ``on_row`` sink in expansion
order and is then dropped; what stays per cell is the ranking value, one heat-map value, its Sharpe and
2 x ``PBO_SPLITS`` block summaries for the overfitting statistics, never an equity curve.

Two paths, same numbers: the all-in long/flat book with simple costs (the defaults) runs a one-pass
kernel that trades and measures without writing any per-bar array (``grid_book``); anything else
(stops, shorts, sizing, the realistic execution model) runs ``peak.backtest.run_backtest`` per cell.
Either way a cell's metrics equal those of ``peak-run`` with the same strategy fields (a test pins this).
"""

from __future__ import annotations

import heapq
import itertools
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from peak.backtest import run_backtest
from peak.backtest.engine import BPS
from peak.core.bars import Bars
from peak.core.errors import ConfigError
from peak.core.progress import progress
from peak.core.results import MetricValue, RunResult
from peak.execution.config import ExecutionConfig
from peak.metrics import OverfittingInputError, deflated_sharpe_ratio, pbo_from_blocks
from peak.metrics.returns import bar_returns
from peak.metrics.summary import METRIC_NAMES
from peak.portfolio.config import PortfolioConfig
from peak.portfolio.sizing import AllIn
from peak.research.grid_book import evaluate_plain_fused
from peak.research.grid_eval import N_METRICS, metrics_row
from peak.research.grid_signals import TargetSource
from peak.research.grid_spec import Axis, Combo, GridValue, SkipCount, combos, grid_size
from peak.research.trials import PBO_SPLITS
from peak.risk.config import RiskConfig

Objective = Literal[
    "sharpe", "sortino", "total_return", "cagr", "profit_factor", "win_rate", "avg_trade_return"
]
"""Metrics a grid can rank by (higher is better)."""
CHUNK_PER_WORKER = 32
"""Cells handed to each worker per round; results are written between rounds."""


@dataclass(frozen=True)
class Book:
    """Everything of a cell's backtest except the strategy: costs, capital and exit rules."""

    execution: ExecutionConfig
    portfolio: PortfolioConfig
    risk: RiskConfig

    def run(self, bars: Bars, strategy: Any) -> RunResult:
        """The engine's full backtest of ``strategy`` on ``bars`` with this book."""
        return run_backtest(
            bars,
            strategy=strategy,
            execution=self.execution,
            portfolio=self.portfolio,
            risk=self.risk,
            data_fingerprint="",
        )

    def is_plain(self) -> bool:
        """True when the lean all-in long/flat kernel reproduces the engine (no rules, simple costs)."""
        p, r = self.portfolio, self.risk
        rules = (r.stop_loss, r.take_profit, r.trailing_stop)
        return (
            self.execution.is_simple()
            and not p.allow_short
            and isinstance(p.sizing_rule(), AllIn)
            and all(x is None for x in rules)
        )


@dataclass(frozen=True)
class GridRow:
    """One evaluated cell: its expansion index, axis values and metrics (None = undefined)."""

    index: int
    params: Mapping[str, GridValue]
    metrics: Mapping[str, MetricValue]


@dataclass(frozen=True)
class Heat:
    """Best objective value over the other axes for each (y, x) pair of the first two multi-valued axes."""

    x: Axis
    y: Axis
    values: np.ndarray  # len(y.values) x len(x.values), NaN where no valid cell


@dataclass(frozen=True)
class GridReport:
    """What a grid found. ``top`` is ranked by ``objective``, best first; ``dsr``/``pbo`` may be None with
    ``note`` saying why. ``best_by_sharpe`` is the trial the deflated Sharpe ratio judges."""

    axes: tuple[Axis, ...]
    objective: str
    cells: int
    evaluated: int
    timed: int
    skipped: int
    skipped_reason: str
    seconds: float
    path: Literal["plain", "engine"]
    shared_indicators: int
    top: tuple[GridRow, ...]
    heat: Heat | None
    best_by_sharpe: GridRow | None
    dsr: float | None
    pbo: float | None
    note: str = ""

    @property
    def cells_per_second(self) -> float:
        """Cells per wall-clock second after the untimed first cell (``timed`` cells in ``seconds``)."""
        if self.timed == 0:
            return math.nan
        return self.timed / self.seconds if self.seconds > 0 else math.inf


def _metrics(row: np.ndarray) -> dict[str, MetricValue]:
    out: dict[str, MetricValue] = {}
    for name, value in zip(METRIC_NAMES, row.tolist(), strict=True):
        out[name] = None if math.isnan(value) else (int(value) if name == "n_trades" else value)
    return out


class _Scratch(threading.local):
    """A per-thread target buffer, allocated once per worker and reused by every cell it runs."""

    size = -1

    def ensure(self, n: int) -> np.ndarray:
        if self.size != n:
            self.target = np.empty(n)
            self.size = n
        return self.target


Evaluated = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(metric row, block means, block sums of squared deviations) of one cell."""


def _evaluator(bars: Bars, book: Book, source: TargetSource) -> Callable[[Combo], Evaluated]:
    bpy = bars.timeframe.bars_per_year
    n = len(bars)
    if book.is_plain():
        fee = float(book.execution.fee_rate or 0.0)
        slip = float(book.execution.slippage_bps or 0.0) / BPS
        costs = np.array([fee, slip, book.portfolio.initial_cash, bpy])
        o, c = (np.ascontiguousarray(a, dtype=np.float64) for a in (bars.open, bars.close))
        scratch = _Scratch()

        def plain(combo: Combo) -> Evaluated:
            target = scratch.ensure(n)
            out = (np.empty(N_METRICS), np.empty(PBO_SPLITS), np.empty(PBO_SPLITS))
            source.fill(combo.strategy, target)
            if evaluate_plain_fused(o, c, target, costs, *out) < 0:
                raise ValueError(f"strategy {combo.strategy.name} produced a NaN target for {combo.params}")
            return out

        return plain

    def engine(combo: Combo) -> Evaluated:
        result = book.run(bars, combo.strategy).backtest
        out = (np.empty(N_METRICS), np.empty(PBO_SPLITS), np.empty(PBO_SPLITS))
        t = result.trades
        metrics_row(result.equity, result.units, t.pnl, t.ret, result.initial_cash, bpy, np.empty(n), *out)
        return out

    return engine


@dataclass
class _Collector:
    """Everything kept per cell while the grid streams: ranking, heat, Sharpe and block summaries."""

    axes: tuple[Axis, ...]
    objective_col: int
    top_k: int
    heap: list[tuple[float, int, GridRow]] = field(default_factory=list)
    sharpe: list[float] = field(default_factory=list)
    best_sharpe: GridRow | None = None
    best_sharpe_value: float = -math.inf
    block_mean: list[np.ndarray] = field(default_factory=list)
    block_m2: list[np.ndarray] = field(default_factory=list)
    heat: dict[tuple[GridValue, GridValue], float] = field(default_factory=dict)

    def heat_axes(self) -> tuple[Axis, Axis] | None:
        multi = [a for a in self.axes if len(a.values) > 1]
        return (multi[0], multi[1]) if len(multi) >= 2 else None

    def add(self, combo: Combo, evaluated: Evaluated) -> GridRow:
        row, bmean, bm2 = evaluated
        grid_row = GridRow(combo.index, combo.params, _metrics(row))
        score = row[self.objective_col]
        score = -math.inf if math.isnan(score) else float(score)
        item = (score, -combo.index, grid_row)  # ties: the earlier cell wins, whatever the thread timing
        if len(self.heap) < self.top_k:
            heapq.heappush(self.heap, item)
        elif item[:2] > self.heap[0][:2]:
            heapq.heapreplace(self.heap, item)
        sharpe = float(row[METRIC_NAMES.index("sharpe")])
        sharpe = 0.0 if math.isnan(sharpe) else sharpe
        if self.best_sharpe is None or sharpe > self.best_sharpe_value:
            self.best_sharpe, self.best_sharpe_value = grid_row, sharpe
        self.sharpe.append(sharpe)
        self.block_mean.append(bmean)
        self.block_m2.append(bm2)
        axes = self.heat_axes()
        if axes is not None:
            key = (combo.params[axes[0].name], combo.params[axes[1].name])
            self.heat[key] = max(self.heat.get(key, -math.inf), score)
        return grid_row

    def top(self) -> tuple[GridRow, ...]:
        return tuple(r for _, _, r in sorted(self.heap, key=lambda i: i[:2], reverse=True))

    def heat_map(self) -> Heat | None:
        axes = self.heat_axes()
        if axes is None:
            return None
        x, y = axes
        values = np.full((len(y.values), len(x.values)), np.nan)
        for (xv, yv), v in self.heat.items():
            values[y.values.index(yv), x.values.index(xv)] = v if math.isfinite(v) else np.nan
        return Heat(x, y, values)


class _Sink:
    """Takes each evaluated cell in order: the collector, the caller's ``on_row`` and the best-Sharpe cell."""

    def __init__(self, kept: _Collector, on_row: Callable[[GridRow], None] | None) -> None:
        self._kept = kept
        self._on_row = on_row
        self.best: Combo | None = None

    def add(self, combo: Combo, evaluated: Evaluated) -> None:
        row = self._kept.add(combo, evaluated)
        if self._kept.best_sharpe is row:
            self.best = combo
        if self._on_row is not None:
            self._on_row(row)


def _overfitting(
    bars: Bars, book: Book, kept: _Collector, best: Combo | None
) -> tuple[float | None, float | None, str]:
    """Deflated Sharpe of the best-Sharpe cell (re-run once for its returns) and the grid's PBO."""
    notes: list[str] = []
    dsr = pbo = None
    scale = math.sqrt(bars.timeframe.bars_per_year)
    if best is not None and len(kept.sharpe) >= 2:
        result = book.run(bars, best.strategy).backtest
        try:
            dsr = deflated_sharpe_ratio(bar_returns(result.equity), np.array(kept.sharpe) / scale).dsr
        except OverfittingInputError as exc:
            notes.append(f"deflated Sharpe: {exc}")
    else:
        notes.append("deflated Sharpe: needs at least 2 evaluated cells")
    block_len = (len(bars) - 1) // PBO_SPLITS
    try:
        pbo = pbo_from_blocks(np.array(kept.block_mean).T, np.array(kept.block_m2).T, block_len).pbo
    except OverfittingInputError as exc:
        notes.append(f"PBO: {exc}")
    return dsr, pbo, "; ".join(notes)


def _default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run_grid(
    bars: Bars,
    base_strategy: Mapping[str, Any],
    axes: Sequence[Axis],
    book: Book,
    *,
    objective: Objective = "sharpe",
    top_k: int = 10,
    workers: int = 0,
    on_row: Callable[[GridRow], None] | None = None,
    label: str = "grid",
    overfitting: bool = True,
) -> GridReport:
    """Backtest every valid cell of ``axes`` (over ``base_strategy``, the selected strategy as plain data)
    on ``bars`` and rank the cells by ``objective``. ``on_row`` receives each row in expansion order.

    ``workers``: threads (0 = every core). ``overfitting=False`` skips the deflated Sharpe ratio and PBO
    (a walk-forward fold needs only the winner). Raises ``ConfigError`` when no cell is valid.
    Example: ``run_grid(bars, {"name": "ma_crossover"}, parse_axes({"fast": [5, 10]}, ["fast", "slow"]),
    Book(ExecutionConfig(), PortfolioConfig(), RiskConfig())).top[0].params`` → ``{"fast": 10}``.
    """
    if objective not in METRIC_NAMES:
        raise ConfigError(f"objective {objective!r} is not a metric; known: {', '.join(METRIC_NAMES)}")
    skipped = SkipCount()
    kept = _Collector(tuple(axes), METRIC_NAMES.index(objective), max(1, top_k))
    source = TargetSource(bars)
    evaluate = _evaluator(bars, book, source)
    threads = workers if workers > 0 else _default_workers()
    cells: Iterator[Combo] = combos(axes, base_strategy, skipped)
    first = next(cells, None)
    if first is None:
        raise ConfigError(f"no valid cell in the grid ({skipped.count} rejected); first: {skipped.first}")
    # The first cell runs untimed in this thread: it pays numba's one-time start-up in this process
    # (about a second), which says nothing about the grid's throughput.
    sink = _Sink(kept, on_row)
    sink.add(first, evaluate(first))
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool, progress(grid_size(axes), label, "cell") as bar:
        bar.advance(1 + skipped.count)
        while True:
            rejected = skipped.count
            chunk = list(itertools.islice(cells, CHUNK_PER_WORKER * threads))
            if not chunk:
                break
            # one task per worker and round: a future per cell costs more than a cell's Python work
            slices = [chunk[i::threads] for i in range(threads)]
            done = list(pool.map(lambda part: [evaluate(c) for c in part], slices))
            pairs = (p for part, evs in zip(slices, done, strict=True) for p in zip(part, evs, strict=True))
            for combo, evaluated in sorted(pairs, key=lambda pair: pair[0].index):
                sink.add(combo, evaluated)
            bar.advance(len(chunk) + skipped.count - rejected)
    seconds = time.perf_counter() - started
    dsr, pbo, note = None, None, "not computed"
    if overfitting:
        dsr, pbo, note = _overfitting(bars, book, kept, sink.best)
    return GridReport(
        axes=tuple(axes),
        objective=objective,
        cells=grid_size(axes),
        evaluated=len(kept.sharpe),
        timed=len(kept.sharpe) - 1,
        skipped=skipped.count,
        skipped_reason=skipped.first,
        seconds=seconds,
        path="plain" if book.is_plain() else "engine",
        shared_indicators=source.shared,
        top=kept.top(),
        heat=kept.heat_map(),
        best_by_sharpe=kept.best_sharpe,
        dsr=dsr,
        pbo=pbo,
        note=note,
    )
