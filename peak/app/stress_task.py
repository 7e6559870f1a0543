"""``task=stress`` (and the stress part of ``task=robustness``): the run replayed under each named shock,
written to stress.json and logged as ``stress.*`` metrics."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from peak.app.config import RunConfig
from peak.app.study import StudyOutput
from peak.backtest import resolve_sleeves, run_backtest, run_portfolio
from peak.backtest.portfolio_config import WeightedPortfolioConfig
from peak.core.bars import Bars
from peak.core.results import MetricValue, RunResult
from peak.data.timestamps import iso
from peak.research.stress import (
    Impact,
    StressConfig,
    StressReport,
    run_stress,
    stress_metrics,
    widen_slippage,
)
from peak.tracking.run_dir import json_safe_metrics, write_json


def _simulator(cfg: RunConfig, fingerprint: str):  # type: ignore[no-untyped-def]
    """Re-runs the study's configuration on shocked bars with widened slippage."""

    def simulate(bars: Mapping[str, Bars], slippage_multiplier: float) -> RunResult:
        execution = widen_slippage(cfg.execution, slippage_multiplier)
        portfolio = cfg.portfolio
        if isinstance(portfolio, WeightedPortfolioConfig):
            sleeves = resolve_sleeves(portfolio, strategy=cfg.strategy, risk=cfg.risk, symbol=cfg.data.symbol)
            return run_portfolio(
                bars, sleeves, portfolio=portfolio, execution=execution, data_fingerprint=fingerprint
            )
        [series] = bars.values()
        return run_backtest(
            series,
            strategy=cfg.strategy,
            execution=execution,
            portfolio=portfolio,
            risk=cfg.risk,
            data_fingerprint=fingerprint,
        )

    return simulate


def _impact_json(imp: Impact) -> dict[str, object]:
    return {
        "kind": imp.kind,
        "shock_time": iso(imp.shock_ns) if imp.kind != "none" else None,
        "portfolio": json_safe_metrics(imp.portfolio),
        "sleeves": {name: json_safe_metrics(m) for name, m in imp.sleeves.items()},
    }


def _pct(value: MetricValue) -> str:
    return "n/a" if value is None else f"{value:.2%}"


def _lines(report: StressReport) -> tuple[str, ...]:
    base = report.baseline.portfolio
    lines = [
        f"stress: baseline total_return={_pct(base['total_return'])} "
        f"max_drawdown={_pct(base['max_drawdown'])}"
    ]
    for imp in report.impacts:
        p = imp.portfolio
        lines.append(
            f"  {imp.name} at {iso(imp.shock_ns)}: total_return={_pct(p['total_return'])} "
            f"max_drawdown={_pct(p['max_drawdown'])}"
        )
    return tuple(lines)


def stress_study(
    task: StressConfig, cfg: RunConfig, bars: Mapping[str, Bars], result: RunResult, run_dir: Path
) -> StudyOutput:
    """Run every configured scenario on real ``bars`` and record the impact per sleeve and portfolio."""
    report = run_stress(bars, task, _simulator(cfg, result.data_fingerprint), result)
    write_json(
        run_dir / "stress.json",
        {
            "baseline": _impact_json(report.baseline),
            "scenarios": [{"name": i.name, **_impact_json(i)} for i in report.impacts],  # in run order
        },
    )
    return StudyOutput(stress_metrics(report), {}, _lines(report))
