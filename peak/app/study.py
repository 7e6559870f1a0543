"""What a research task adds to its run: metrics, tags and the lines ``peak-run`` prints."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from peak.core.results import MetricValue


@dataclass(frozen=True)
class StudyOutput:
    """A task's additions to the run, e.g. ``StudyOutput({"wf.efficiency": 0.7}, {"peak.verdict": "GO"})``."""

    metrics: Mapping[str, MetricValue] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    lines: tuple[str, ...] = ()

    def merged(self, other: StudyOutput) -> StudyOutput:
        """Both outputs together, ``other`` last."""
        return StudyOutput(
            {**self.metrics, **other.metrics}, {**self.tags, **other.tags}, (*self.lines, *other.lines)
        )


def fmt_params(params: Mapping[str, object]) -> str:
    """``fast=30 slow=140``."""
    return " ".join(f"{k}={v}" for k, v in params.items())


def prefixed(prefix: str, metrics: Mapping[str, MetricValue]) -> dict[str, MetricValue]:
    """``{"sharpe": 1.2}`` → ``{"<prefix>.sharpe": 1.2}``."""
    return {f"{prefix}.{k}": v for k, v in metrics.items()}
