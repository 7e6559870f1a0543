"""Walk-forward: window arithmetic, no look-ahead into the out-of-sample window, stitching and fixed mode."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from peak.core.bars import Bars
from peak.core.errors import ConfigError
from peak.execution.config import ExecutionConfig
from peak.metrics import compute_metrics
from peak.portfolio.config import PortfolioConfig
from peak.research.grid import Book
from peak.research.grid_spec import parse_axes
from peak.research.walk_forward import (
    WalkForwardConfig,
    Window,
    segment,
    walk_forward_fixed,
    walk_forward_optimise,
    windows,
)
from peak.risk.config import RiskConfig
from peak.strategies.config import MACrossoverConfig
from tests.support.bars import load_shared_bars

SAMPLE = Path(__file__).resolve().parents[3] / "peak" / "data" / "sample"
FIELDS = list(MACrossoverConfig.model_fields)
BOOK = Book(ExecutionConfig(), PortfolioConfig(), RiskConfig())
AXES = parse_axes({"fast": [5, 10, 20, 40], "slow": [50, 100, 200]}, FIELDS)


@pytest.fixture(scope="module")
def bars() -> Bars:
    return load_shared_bars(SAMPLE, "BTCUSDT", "1h")


def test_windows_when_rolling_then_fixed_length_is_and_oos_tiling_the_end() -> None:
    got = windows(1000, WalkForwardConfig(folds=2, in_sample_ratio=3.0))
    assert got == (Window(0, 0, 600, 800), Window(1, 200, 800, 1000))


def test_windows_when_anchored_then_in_sample_always_starts_at_zero() -> None:
    got = windows(1003, WalkForwardConfig(folds=3, in_sample_ratio=2.0, scheme="anchored"))
    assert got == (Window(0, 0, 403, 603), Window(1, 0, 603, 803), Window(2, 0, 803, 1003))


def test_windows_when_data_too_short_then_error_names_folds_and_ratio() -> None:
    with pytest.raises(ConfigError, match=r"task\.folds=50 with task\.in_sample_ratio=3 on 1000 bars"):
        windows(1000, WalkForwardConfig(folds=50))


def _scrambled_after(bars: Bars, start: int) -> Bars:
    """Bars whose prices from ``start`` on are replaced by a different random walk."""
    rng = np.random.default_rng(start)
    factor = np.ones(len(bars))
    factor[start:] = np.exp(np.cumsum(rng.normal(0.0, 0.02, len(bars) - start)))
    scaled = {k: getattr(bars, k) * factor for k in ("open", "high", "low", "close")}
    return replace(bars, **scaled)


def test_walk_forward_when_future_data_changes_then_each_folds_choice_is_unchanged(bars: Bars) -> None:
    cfg = WalkForwardConfig(folds=4)
    base = walk_forward_optimise(bars, {"name": "ma_crossover"}, AXES, BOOK, cfg)
    for fold in base.folds:
        # everything from this fold's first OOS bar on is replaced: its IS choice must not move
        other = walk_forward_optimise(
            _scrambled_after(bars, fold.window.is_stop), {"name": "ma_crossover"}, AXES, BOOK, cfg
        )
        assert other.folds[fold.window.index].params == fold.params
        assert other.folds[fold.window.index].in_sample == fold.in_sample
        if fold.window.index + 1 < len(base.folds):  # ...while the OOS result does see the new data
            assert other.folds[fold.window.index].out_of_sample != fold.out_of_sample


def test_walk_forward_when_optimised_then_oos_windows_chain_into_one_curve(bars: Bars) -> None:
    report = walk_forward_optimise(bars, {"name": "ma_crossover"}, AXES, BOOK, WalkForwardConfig(folds=3))
    w0 = report.folds[0].window
    assert report.mode == "optimise" and report.oos.ts[0] == bars.ts[w0.is_stop]
    assert report.oos.ts.shape[0] == len(bars) - w0.is_stop
    assert report.oos.initial_cash == BOOK.portfolio.initial_cash
    # each window starts flat, holding the previous window's final equity in cash
    for prev in report.folds[:-1]:
        end = prev.window.oos_stop - w0.is_stop
        assert report.oos.equity[end] == report.oos.equity[end - 1] and report.oos.units[end] == 0.0
    oos_returns = [f.out_of_sample["total_return"] for f in report.folds]
    total = np.prod([1.0 + r for r in oos_returns]) - 1.0
    assert report.oos_metrics["total_return"] == pytest.approx(total, rel=1e-9)
    sharpe_is = np.mean([f.in_sample["sharpe"] for f in report.folds])
    if sharpe_is > 0:
        assert report.efficiency == pytest.approx(report.oos_metrics["sharpe"] / sharpe_is)
    assert set(report.stability) == {"fast", "slow"} and 0 < report.stability["fast"]["mode_share"] <= 1


def test_walk_forward_when_fixed_then_windows_cut_from_the_configured_run(bars: Bars) -> None:
    full = BOOK.run(bars, MACrossoverConfig()).backtest
    report = walk_forward_fixed(full, bars.timeframe, WalkForwardConfig(folds=4))
    w = report.folds[2].window
    piece = segment(full, w.is_stop, w.oos_stop)
    assert piece.initial_cash == full.equity[w.is_stop - 1]
    assert report.folds[2].out_of_sample == compute_metrics(piece, bars.timeframe)
    first = report.folds[0].window.is_stop
    assert report.oos_metrics["total_return"] == pytest.approx(full.equity[-1] / full.equity[first - 1] - 1.0)
    assert report.mode == "fixed" and report.stability == {}
