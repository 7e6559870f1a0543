"""Assertions shared by the engine-vs-reference-loop parity tests (1e-9 relative, no absolute slack)."""

from __future__ import annotations

import math

from peak.core.bars import Bars
from peak.core.timeframe import Timeframe
from peak.metrics import METRIC_NAMES, compute_metrics
from tests.support.reference_loop import RefResult, reference_metrics

REL = 1e-9


def assert_close(name: str, got: float | int | None, want: float | int | None) -> None:
    """Equal to 1e-9 relative; None (an undefined metric) must match None exactly."""
    if want is None or got is None:
        assert got is want, f"{name}: engine {got!r} vs reference {want!r}"
        return
    assert math.isclose(got, want, rel_tol=REL, abs_tol=0.0), f"{name}: engine {got!r} vs reference {want!r}"


def assert_trades_equal(bars: Bars, got, ref: RefResult) -> None:
    """Every trade field of the engine equals the reference loop's."""
    assert len(got) == len(ref.trades)
    for i, tr in enumerate(ref.trades):
        assert int(got.entry_ts[i]) == int(bars.ts[tr.entry_bar]), f"trade {i} entry_ts"
        assert int(got.exit_ts[i]) == int(bars.ts[tr.exit_bar]), f"trade {i} exit_ts"
        for name in ("entry_price", "exit_price", "units", "entry_fee", "exit_fee", "pnl", "ret"):
            assert_close(f"trade {i} {name}", float(getattr(got, name)[i]), getattr(tr, name))


def assert_metrics_equal(result, timeframe: Timeframe, ref: RefResult, initial_cash: float) -> None:
    """Every engine metric (``peak.metrics.compute_metrics``) equals the reference formulas' value."""
    got = compute_metrics(result, timeframe)
    want = reference_metrics(ref, initial_cash, timeframe.bars_per_year)
    assert tuple(got) == METRIC_NAMES
    for name in METRIC_NAMES:
        assert_close(name, got[name], want[name])
