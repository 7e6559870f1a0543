"""The Go/No-Go gate: named criteria on a run's metrics, each a bound on one metric, all must pass.

A criterion whose metric is undefined (None, e.g. the profit factor of a run without trades) fails: the
gate never passes on missing evidence. ``conf/gate/go_no_go.yaml`` holds the default thresholds.

It lives in ``peak.registry`` (not ``peak.research``) because promotion judges logged runs with it, and
the live process, which reads the registry, must not import simulation code. ``task=robustness`` uses
the same model from above.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import model_validator

from peak.core.config import FrozenModel
from peak.core.errors import ConfigError
from peak.core.results import MetricValue

Verdict = Literal["GO", "NO-GO"]


class Criterion(FrozenModel):
    """``metric`` must be >= ``min`` or <= ``max`` (exactly one). Example: ``Criterion(metric="sharpe",
    min=1.5, why="risk-adjusted return worth the capital")``."""

    metric: str
    min: float | None = None
    max: float | None = None
    why: str = ""

    @model_validator(mode="after")
    def _one_bound(self) -> Criterion:
        if (self.min is None) == (self.max is None):
            raise ValueError(f"criterion on {self.metric!r} needs exactly one of min or max")
        return self

    def describe(self) -> str:
        """``sharpe >= 1.5``."""
        return f"{self.metric} >= {self.min:g}" if self.min is not None else f"{self.metric} <= {self.max:g}"


class GateConfig(FrozenModel):
    """The ``gate`` group: a name and its criteria by name."""

    name: str = "go_no_go"
    criteria: dict[str, Criterion]

    def check_metrics(self, available: Collection[str]) -> None:
        """Raise ``ConfigError`` before any work when a criterion names a metric the study cannot produce."""
        for key, c in self.criteria.items():
            if c.metric not in available:
                near = difflib.get_close_matches(c.metric, list(available), n=3)
                hint = f"; did you mean {', '.join(near)}?" if near else ""
                raise ConfigError(
                    f"gate.criteria.{key}.metric={c.metric!r} is not produced by this study{hint}"
                )


@dataclass(frozen=True)
class CriterionResult:
    """One criterion judged: its value, whether it passed and a sentence saying why."""

    name: str
    criterion: Criterion
    value: MetricValue
    passed: bool

    def explain(self) -> str:
        """``PASS sharpe >= 1.5: 1.82`` or ``FAIL profit_factor >= 1.3: undefined (no value)``."""
        shown = "undefined (no value)" if self.value is None else f"{self.value:.4g}"
        return f"{'PASS' if self.passed else 'FAIL'} {self.criterion.describe()}: {shown}"


@dataclass(frozen=True)
class GateReport:
    """The verdict and every criterion's result, in configuration order."""

    gate: str
    verdict: Verdict
    results: tuple[CriterionResult, ...]

    @property
    def failed(self) -> tuple[CriterionResult, ...]:
        """The criteria that failed."""
        return tuple(r for r in self.results if not r.passed)


def _passes(c: Criterion, value: MetricValue) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    if c.min is not None:
        return value >= c.min
    return c.max is not None and value <= c.max


def evaluate_gate(cfg: GateConfig, metrics: Mapping[str, MetricValue]) -> GateReport:
    """Judge ``metrics`` against every criterion; GO only when all pass.

    Example: ``evaluate_gate(gate, {"sharpe": 1.8, ...}).verdict`` → ``"GO"``.
    """
    results = tuple(
        CriterionResult(name, c, metrics.get(c.metric), _passes(c, metrics.get(c.metric)))
        for name, c in cfg.criteria.items()
    )
    verdict: Verdict = "GO" if results and all(r.passed for r in results) else "NO-GO"
    return GateReport(cfg.name, verdict, results)
