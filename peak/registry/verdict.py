"""The gate judged on logged evidence: one :class:`CriterionRecord` per criterion and a reason per failure.

Judging reuses :func:`peak.registry.gate.evaluate_gate`, so a bound means the same in ``task=robustness``
and in ``peak promote``. What promotion adds is where each value came from, and that a metric no
evidence run logged is named as missing, never passed.
"""

from __future__ import annotations

import math

from peak.core.results import MetricValue
from peak.registry.evidence import ROBUSTNESS_TASK, Evidence
from peak.registry.gate import GateConfig, evaluate_gate
from peak.registry.records import CriterionRecord


def judge(gate: GateConfig, evidence: Evidence) -> tuple[CriterionRecord, ...]:
    """Every criterion of ``gate`` against the evidence, in configuration order.

    Example: ``judge(gate, evidence)[0]`` → ``CriterionRecord(name="sharpe", required="sharpe >= 1.5",
    actual=1.19, passed=False, source_run_id="3f2a...", ...)``.
    """
    found = {c.metric: evidence.lookup(c.metric) for c in gate.criteria.values()}
    metrics: dict[str, MetricValue] = {metric: value for metric, (value, _) in found.items()}
    report = evaluate_gate(gate, metrics)
    return tuple(
        CriterionRecord(
            name=r.name,
            metric=r.criterion.metric,
            required=r.criterion.describe(),
            min=r.criterion.min,
            max=r.criterion.max,
            actual=None if r.value is None else float(r.value),
            passed=r.passed,
            source_run_id=found[r.criterion.metric][1],
        )
        for r in report.results
    )


def _shown(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.4g}"


def gate_reasons(gate: GateConfig, criteria: tuple[CriterionRecord, ...], evidence: Evidence) -> list[str]:
    """One line per failed criterion with the required and the actual value, or the missing metric and
    the runs searched for it; plus one line on how to get robustness evidence when none was found."""
    reasons = []
    searched = ", ".join(evidence.run_ids)
    for c in criteria:
        if c.passed:
            continue
        head = f"gate {gate.name}: criterion {c.name}: required {c.required}"
        if c.actual is None:
            reasons.append(f"{head}, actual: missing (metric {c.metric} not logged by run {searched})")
        else:
            reasons.append(f"{head}, actual {_shown(c.actual)} (run {c.source_run_id})")
    no_study = evidence.subject.task != ROBUSTNESS_TASK and not evidence.linked
    if no_study and any(c.actual is None for c in criteria):
        reasons.append(
            f"evidence: no FINISHED task=robustness run of the configuration of run "
            f"{evidence.subject.run_id} was found; run peak-run task=robustness with the same overrides, "
            "or pass --evidence RUN_ID"
        )
    if not criteria:
        reasons.append(f"gate {gate.name} has no criteria; an empty gate never passes")
    return reasons
