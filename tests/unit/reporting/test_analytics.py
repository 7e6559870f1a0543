"""What the run report derives from a real run's files agrees with the engine's own metrics."""

from __future__ import annotations

import numpy as np
import pytest

from peak.reporting.equity import drawdown, monthly_table, read_curve, return_distribution
from peak.reporting.trades import longest_streak, read_trades, trade_stats
from tests.unit.reporting.conftest import FolderRun


def _streaks_by_loop(won: list[bool]) -> tuple[int, int]:
    best = {True: 0, False: 0}
    run, previous = 0, None
    for w in won:
        run = run + 1 if w == previous else 1
        previous = w
        best[w] = max(best[w], run)
    return best[True], best[False]


def test_trade_stats_when_real_run_then_match_engine_metrics_and_a_plain_loop(folder_run: FolderRun) -> None:
    trades = read_trades(folder_run.folder / "trades.csv")
    stats = trade_stats(trades)
    metrics = folder_run.result.metrics
    assert stats.count == metrics["n_trades"] > 20
    assert stats.win_rate == pytest.approx(metrics["win_rate"])
    won = (trades.sort_values("exit_time")["pnl"] > 0).tolist()
    assert (stats.longest_win_streak, stats.longest_loss_streak) == _streaks_by_loop(won)
    ret = trades["return"].to_numpy()
    assert stats.avg_win == pytest.approx(ret[ret > 0].mean())
    assert stats.avg_loss == pytest.approx(ret[trades["pnl"].to_numpy() <= 0].mean())
    held = (trades["exit_time"] - trades["entry_time"]).dt.total_seconds() / 3600
    assert stats.max_hold_h == pytest.approx(held.max()) and stats.max_hold_h >= stats.avg_hold_h > 0


def test_longest_streak_when_runs_then_longest_of_the_value() -> None:
    wins = np.array([True, True, False, True, True, True, False, False])
    assert longest_streak(wins, True) == 3 and longest_streak(wins, False) == 2
    assert longest_streak(np.array([], dtype=bool), True) == 0


def test_monthly_returns_when_compounded_then_total_return(folder_run: FolderRun) -> None:
    curve = read_curve(folder_run.folder / "equity.parquet")
    years, grid, totals = monthly_table(curve)
    months = grid[~np.isnan(grid)]
    assert years == ("2023",) and 4 <= months.size <= 6  # 3,000 bars from May 2023
    compounded = np.prod(1.0 + months) - 1.0
    assert compounded == pytest.approx(curve.equity[-1] / curve.equity[0] - 1.0)
    assert totals[0] == pytest.approx(compounded)


def test_drawdown_when_real_curve_then_deepest_equals_max_drawdown_metric(folder_run: FolderRun) -> None:
    curve = read_curve(folder_run.folder / "equity.parquet")
    assert -drawdown(curve.equity).min() == pytest.approx(folder_run.result.metrics["max_drawdown"])
    dist = return_distribution(curve, 3600 * 10**9)
    assert dist.label == "daily" and dist.returns.size == pytest.approx(len(curve.ts) / 24, abs=2)
    assert dist.worst <= dist.mean <= dist.best
