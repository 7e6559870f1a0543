"""Stress runner: every scenario replays the run on shocked real bars; impacts per sleeve and portfolio."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from pydantic import ValidationError

from peak.backtest import run_backtest
from peak.core.bars import Bars
from peak.core.results import RunResult
from peak.execution.config import ExecutionConfig
from peak.portfolio.config import PortfolioConfig
from peak.research.stress import StressConfig, run_stress, stress_metrics, widen_slippage
from peak.risk.config import RiskConfig
from peak.strategies.config import MACrossoverConfig
from tests.support.bars import load_shared_bars

SAMPLE = Path(__file__).resolve().parents[3] / "peak" / "data" / "sample"
LIBRARY = {
    "crash": {"kind": "crash_bar", "drop": 0.3, "at": 0.5},
    "liquidity": {"kind": "liquidity_drop", "slippage_multiplier": 10.0, "volume_factor": 0.5, "bars": 24},
}


@pytest.fixture(scope="module")
def bars() -> Bars:
    return load_shared_bars(SAMPLE, "BTCUSDT", "1h")


def _simulate(bars: Mapping[str, Bars], multiplier: float) -> RunResult:
    [series] = bars.values()
    return run_backtest(
        series,
        strategy=MACrossoverConfig(),
        execution=widen_slippage(ExecutionConfig(), multiplier),
        portfolio=PortfolioConfig(),
        risk=RiskConfig(),
        data_fingerprint="",
    )


def test_stress_config_when_scenario_not_in_library_then_error_names_nearest() -> None:
    with pytest.raises(ValidationError, match="'crsh' is not in the library; did you mean crash"):
        StressConfig(scenarios=("crsh",), library=LIBRARY)


def test_widen_slippage_when_fixed_or_range_then_scaled_within_caps() -> None:
    assert widen_slippage(ExecutionConfig(slippage_bps=5.0), 4.0).slippage_bps == 20.0
    assert widen_slippage(ExecutionConfig(slippage_bps=400.0), 4.0).slippage_bps == 1000.0
    ranged = ExecutionConfig(name="realistic", slippage_model="range", slippage_bps=None, range_share=0.3)
    assert widen_slippage(ranged, 5.0).range_share == 1.0


def test_run_stress_when_real_bars_shocked_then_each_scenario_moves_the_result(bars: Bars) -> None:
    cfg = StressConfig(scenarios=("crash", "liquidity"), library=LIBRARY)
    baseline = _simulate({"BTC/USDT": bars}, 1.0)
    report = run_stress({"BTC/USDT": bars}, cfg, _simulate, baseline)
    assert [i.name for i in report.impacts] == ["crash", "liquidity"]
    assert report.baseline.portfolio["total_return"] == baseline.metrics["total_return"]
    for impact in report.impacts:
        assert impact.portfolio["total_return"] != baseline.metrics["total_return"], impact.name
    mid = bars.ts[0] + (bars.ts[-1] - bars.ts[0]) // 2
    assert report.impacts[0].shock_ns in bars.ts and 0 <= report.impacts[0].shock_ns - mid < bars.timeframe.ns
    # wider slippage on every fill can only cost money
    assert report.impacts[1].portfolio["total_return"] < baseline.metrics["total_return"]
    metrics = stress_metrics(report)
    delta = metrics["stress.liquidity.delta_total_return"]
    assert delta == pytest.approx(
        report.impacts[1].portfolio["total_return"] - baseline.metrics["total_return"]
    )
    drawdowns = [i.portfolio["max_drawdown"] for i in report.impacts]
    assert metrics["stress.worst.max_drawdown"] == max(drawdowns)
