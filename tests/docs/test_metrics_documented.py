"""Every metric the engine emits has a section in docs/metrics.md."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from peak.core.results import BacktestResult, Trades
from peak.core.timeframe import Timeframe
from peak.metrics import METRIC_NAMES, compute_metrics

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def _documented() -> set[str]:
    return set(re.findall(r"^## (\w+)\s*$", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE))


def test_metrics_doc_when_read_then_every_metric_name_has_a_heading() -> None:
    missing = set(METRIC_NAMES) - _documented()
    assert not missing, f"undocumented metrics in {DOC}: {sorted(missing)}"


def test_metrics_doc_when_compute_metrics_runs_then_every_emitted_key_has_a_heading() -> None:
    equity = np.array([100.0, 101.0, 99.0, 102.0])
    result = BacktestResult(
        ts=np.arange(4, dtype=np.int64),
        equity=equity,
        cash=equity,
        units=np.zeros(4),
        trades=Trades.empty(),
        initial_cash=100.0,
    )
    emitted = set(compute_metrics(result, Timeframe.parse("1h")))
    assert not emitted - _documented(), f"undocumented metrics in {DOC}: {sorted(emitted - _documented())}"


def test_metrics_doc_when_portfolio_runs_then_its_extra_metrics_have_headings() -> None:
    from peak.metrics import correlation_summary, pnl_correlation

    corr = pnl_correlation([np.array([1.0, 2.0, 1.5]), np.array([1.0, 0.5, 2.0])])
    emitted = set(correlation_summary(corr))
    assert not emitted - _documented(), f"undocumented metrics in {DOC}: {sorted(emitted - _documented())}"
