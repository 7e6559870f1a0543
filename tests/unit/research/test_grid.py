"""The in-process grid: every cell equals a full engine backtest, results stream in order, memory stays flat,
threads do not change a number, and the overfitting statistics match the matrix-based ones."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from peak.backtest import run_backtest
from peak.core.bars import Bars
from peak.execution.config import ExecutionConfig
from peak.metrics import deflated_sharpe_ratio, probability_of_backtest_overfitting
from peak.metrics.returns import bar_returns
from peak.portfolio.config import PortfolioConfig
from peak.research.grid import Book, GridRow, run_grid
from peak.research.grid_signals import TargetSource
from peak.research.grid_spec import parse_axes
from peak.research.trials import PBO_SPLITS
from peak.risk.config import RiskConfig
from peak.strategies import target_positions
from peak.strategies.config import MACrossoverConfig, RSIReversionConfig
from tests.support.bars import load_shared_bars

SAMPLE = Path(__file__).resolve().parents[3] / "peak" / "data" / "sample"
FIELDS = list(MACrossoverConfig.model_fields)
PLAIN = Book(ExecutionConfig(), PortfolioConfig(), RiskConfig())


@pytest.fixture(scope="module")
def bars() -> Bars:
    return load_shared_bars(SAMPLE, "BTCUSDT", "1h")  # the bundled real sample: 11k hourly bars


def _engine_metrics(bars: Bars, strategy: object, book: Book) -> dict[str, object]:
    return dict(
        run_backtest(
            bars,
            strategy=strategy,
            execution=book.execution,
            portfolio=book.portfolio,
            risk=book.risk,
            data_fingerprint="",
        ).metrics
    )


def _assert_same(grid: GridRow, engine: dict[str, object]) -> None:
    for name, value in engine.items():
        got = grid.metrics[name]
        if value is None or got is None:
            assert got is value, name
        else:
            assert got == pytest.approx(value, rel=1e-9, abs=1e-12), (name, grid.params)


def test_run_grid_when_plain_book_then_every_cell_equals_the_engine(bars: Bars) -> None:
    axes = parse_axes({"fast": "range(5,45,10)", "slow": "range(20,200,40)"}, FIELDS)
    rows: list[GridRow] = []
    report = run_grid(bars, {"name": "ma_crossover"}, axes, PLAIN, on_row=rows.append)
    assert report.path == "plain" and report.evaluated == len(rows) == 18 and report.skipped == 2
    assert [r.index for r in rows] == sorted(r.index for r in rows)  # streamed in expansion order
    for row in rows:
        _assert_same(row, _engine_metrics(bars, MACrossoverConfig(**row.params), PLAIN))


def test_run_grid_when_exit_rules_and_realistic_costs_then_engine_path_matches_peak_run(bars: Bars) -> None:
    book = Book(
        ExecutionConfig(name="realistic", volume_cap=0.05),
        PortfolioConfig(allow_short=False),
        RiskConfig(stop_loss=0.03, take_profit=0.08),
    )
    axes = parse_axes({"period": [7, 14], "entry": [25, 30]}, list(RSIReversionConfig.model_fields))
    rows: list[GridRow] = []
    report = run_grid(bars, {"name": "rsi_reversion"}, axes, book, on_row=rows.append, workers=2)
    assert report.path == "engine" and len(rows) == 4
    for row in rows:
        _assert_same(row, _engine_metrics(bars, RSIReversionConfig(**row.params), book))


def test_target_source_when_ma_crossover_cached_then_targets_identical_to_strategy(bars: Bars) -> None:
    source = TargetSource(bars)
    out = np.empty(len(bars))
    for fast, slow in [(5, 50), (20, 50), (50, 200), (1, 2)]:
        cfg = MACrossoverConfig(fast=fast, slow=slow)
        source.fill(cfg, out)
        np.testing.assert_array_equal(out, target_positions(bars, cfg))
    assert source.shared == 4


def test_run_grid_when_one_or_two_workers_then_identical_rows_and_ranking(bars: Bars) -> None:
    axes = parse_axes({"fast": "range(5,55,5)", "slow": "range(60,200,20)"}, FIELDS)
    outputs = []
    for workers in (1, 2):
        rows: list[GridRow] = []
        report = run_grid(bars, {"name": "ma_crossover"}, axes, PLAIN, workers=workers, on_row=rows.append)
        outputs.append(
            ([(r.index, r.metrics) for r in rows], [r.index for r in report.top], report.pbo, report.dsr)
        )
    assert outputs[0] == outputs[1]


def test_run_grid_when_ranked_then_top_k_sorted_and_heat_holds_best_over_other_axes(bars: Bars) -> None:
    axes = parse_axes({"fast": [5, 10, 20], "slow": [50, 100]}, FIELDS)
    rows: list[GridRow] = []
    report = run_grid(
        bars, {"name": "ma_crossover"}, axes, PLAIN, objective="total_return", top_k=3, on_row=rows.append
    )
    by_return = sorted(rows, key=lambda r: (-r.metrics["total_return"], r.index))
    assert [r.index for r in report.top] == [r.index for r in by_return[:3]]
    assert report.heat is not None and report.heat.x.name == "fast" and report.heat.y.name == "slow"
    for row in rows:
        y, x = report.heat.y.values.index(row.params["slow"]), report.heat.x.values.index(row.params["fast"])
        assert report.heat.values[y, x] == row.metrics["total_return"]


def test_run_grid_when_grid_grows_tenfold_then_memory_stays_flat(bars: Bars) -> None:
    def peak_bytes(fast: str, slow: str) -> int:
        axes = parse_axes({"fast": fast, "slow": slow}, FIELDS)
        tracemalloc.start()
        run_grid(bars, {"name": "ma_crossover"}, axes, PLAIN, workers=1, on_row=lambda row: None)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    run_grid(bars, {"name": "ma_crossover"}, parse_axes({"fast": [3]}, FIELDS), PLAIN)  # compile outside
    small = peak_bytes("range(2,6)", "range(30,40)")  # 40 cells, 14 cached averages
    large = peak_bytes("range(2,22)", "range(30,50)")  # 400 cells, 40 cached averages
    curve = len(bars) * 8
    # the shared cache grows by one curve-sized average per new window; everything else must stay flat:
    # keeping each cell's equity curve would add 360 curves (32 MB)
    allowed = (40 - 14) * curve + 20 * curve  # + fixed-size work arrays (scratch, PBO steps)
    assert large - small < allowed, (small, large, allowed)


def test_run_grid_when_overfitting_computed_then_equals_matrix_statistics(bars: Bars) -> None:
    axes = parse_axes({"fast": [5, 10, 20, 30], "slow": [60, 120, 180]}, FIELDS)
    rows: list[GridRow] = []
    report = run_grid(bars, {"name": "ma_crossover"}, axes, PLAIN, on_row=rows.append)
    curves = [
        run_backtest(
            bars,
            strategy=MACrossoverConfig(**r.params),
            execution=PLAIN.execution,
            portfolio=PLAIN.portfolio,
            risk=PLAIN.risk,
            data_fingerprint="",
        ).backtest.equity
        for r in rows
    ]
    returns = np.column_stack([bar_returns(c) for c in curves])
    pbo = probability_of_backtest_overfitting(returns, PBO_SPLITS).pbo
    assert report.pbo == pytest.approx(pbo, abs=2 / 12_870)  # at most a rounding-level tie flips
    sharpes = returns.mean(axis=0) / returns.std(axis=0, ddof=1)
    best = int(np.argmax(sharpes))
    assert report.best_by_sharpe is not None and report.best_by_sharpe.index == rows[best].index
    assert report.dsr == pytest.approx(deflated_sharpe_ratio(returns[:, best], sharpes).dsr, rel=1e-6)


def test_run_grid_when_real_history_then_a_thousand_cells_evaluated(market_dir: Path) -> None:
    full = load_shared_bars(market_dir, "ETHUSDT", "1h")
    axes = parse_axes({"fast": "range(2,52,2)", "slow": "range(60,260,5)"}, FIELDS)
    report = run_grid(full, {"name": "ma_crossover"}, axes, PLAIN, on_row=lambda row: None)
    assert report.evaluated == 1000 and report.pbo is not None and 0.0 <= report.pbo <= 1.0
    assert report.top[0].metrics["sharpe"] >= report.top[-1].metrics["sharpe"]
