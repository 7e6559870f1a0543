"""Stress tests: the same run replayed on real bars with a named market shock applied, impact per sleeve and
for the whole portfolio.

Scenarios are configuration (``conf/task/stress.yaml``: a library of named shocks and the list to run);
the bar transforms live in ``stress_scenarios``. Every symbol of a portfolio is shocked at the same
moment (a market-wide event). A liquidity drop also widens the run's slippage by its multiplier for the
whole run, since the engine's slippage is one setting per run (a conservative bound).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from pydantic import Field, model_validator

from peak.core.bars import Bars
from peak.core.config import FrozenModel
from peak.core.progress import progress
from peak.core.results import MetricValue, RunResult
from peak.execution.config import ExecutionConfig
from peak.research.stress_scenarios import StressScenario, apply_scenario, shock_time

IMPACT_METRICS = ("total_return", "max_drawdown", "sharpe")
"""Metrics reported per scenario, for the portfolio and each sleeve."""


class StressConfig(FrozenModel):
    """Which scenarios to run (``scenarios``, names of ``library`` entries) and the library itself."""

    scenarios: tuple[str, ...] = Field(min_length=1)
    library: dict[str, StressScenario]

    @model_validator(mode="after")
    def _known(self) -> StressConfig:
        for name in self.scenarios:
            if name not in self.library:
                near = difflib.get_close_matches(name, list(self.library), n=3)
                hint = f"did you mean {', '.join(near)}? " if near else ""
                raise ValueError(
                    f"scenario {name!r} is not in the library; {hint}known: {', '.join(self.library)}"
                )
        return self


def widen_slippage(execution: ExecutionConfig, multiplier: float) -> ExecutionConfig:
    """``execution`` with its slippage (fixed bps or range share) times ``multiplier``, at the model caps."""
    if multiplier == 1.0:
        return execution
    if execution.slippage_model == "range" and execution.range_share is not None:
        return execution.model_copy(update={"range_share": min(1.0, execution.range_share * multiplier)})
    bps = execution.slippage_bps or 0.0
    return execution.model_copy(update={"slippage_bps": min(1000.0, bps * multiplier)})


@dataclass(frozen=True)
class Impact:
    """One scenario's outcome: when it struck, and the portfolio's and each sleeve's metrics."""

    name: str
    kind: str
    shock_ns: int
    portfolio: Mapping[str, MetricValue]
    sleeves: Mapping[str, Mapping[str, MetricValue]]


@dataclass(frozen=True)
class StressReport:
    """The baseline and every scenario, in the configured order."""

    baseline: Impact
    impacts: tuple[Impact, ...]


def _pick(metrics: Mapping[str, MetricValue]) -> dict[str, MetricValue]:
    return {k: metrics.get(k) for k in IMPACT_METRICS}


def _impact(name: str, kind: str, shock_ns: int, result: RunResult) -> Impact:
    sleeves = {s.name: _pick(s.metrics) for s in result.sleeves}
    return Impact(name, kind, shock_ns, _pick(result.metrics), sleeves)


Simulate = Callable[[Mapping[str, Bars], float], RunResult]
"""Runs the study's configuration on the given bars (by symbol) with slippage times the given factor."""


def run_stress(
    bars: Mapping[str, Bars], cfg: StressConfig, simulate: Simulate, baseline: RunResult
) -> StressReport:
    """Apply each configured scenario to every symbol's bars and re-run; ``baseline`` is the unshocked run.

    Example: ``run_stress({"BTC/USDT": bars}, cfg, simulate, result).impacts[0].portfolio["max_drawdown"]``.
    """
    series = list(bars.values())
    impacts = []
    with progress(len(cfg.scenarios), "stress", "scenario") as bar:
        for name in cfg.scenarios:
            scenario = cfg.library[name]
            at = shock_time(series, scenario.at)
            shocked = {symbol: apply_scenario(b, scenario, at) for symbol, b in bars.items()}
            result = simulate(shocked, scenario.slippage_multiplier())
            # report the open time of the first shocked bar, not the (possibly mid-bar) anchor
            struck = min(int(b.ts[np.searchsorted(b.ts, at)]) for b in series if b.ts[-1] >= at)
            impacts.append(_impact(name, scenario.kind, struck, result))
            bar.advance()
    return StressReport(_impact("baseline", "none", 0, baseline), tuple(impacts))


def stress_metrics(report: StressReport) -> dict[str, MetricValue]:
    """``stress.<scenario>.<metric>``, ``.delta_<metric>`` vs the baseline, per sleeve
    ``stress.<scenario>.sleeve.<name>.<metric>``, and ``stress.worst.max_drawdown`` /
    ``stress.worst.total_return`` over all scenarios."""
    out: dict[str, MetricValue] = {}
    base = report.baseline.portfolio
    for imp in report.impacts:
        for metric in IMPACT_METRICS:
            value, ref = imp.portfolio[metric], base[metric]
            out[f"stress.{imp.name}.{metric}"] = value
            out[f"stress.{imp.name}.delta_{metric}"] = None if value is None or ref is None else value - ref
        for sleeve, metrics in imp.sleeves.items():
            for metric in IMPACT_METRICS:
                out[f"stress.{imp.name}.sleeve.{sleeve}.{metric}"] = metrics[metric]
    drawdowns = [i.portfolio["max_drawdown"] for i in report.impacts]
    returns = [i.portfolio["total_return"] for i in report.impacts]
    out["stress.worst.max_drawdown"] = max((d for d in drawdowns if d is not None), default=None)
    out["stress.worst.total_return"] = min((r for r in returns if r is not None), default=None)
    return out
