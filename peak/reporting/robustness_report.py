"""The robustness report: the Go/No-Go verdict criterion by criterion, then the evidence: the run itself,
walk-forward, Monte-Carlo and stress. A single-study run (task=walk_forward, monte_carlo or stress)
shows its own study."""

from __future__ import annotations

from peak.reporting.document import Report, Section, Text
from peak.reporting.equity import read_curve
from peak.reporting.run_report import footer, subtitle
from peak.reporting.sections import (
    config_section,
    equity_figures,
    headline_cards,
    lineage_section,
    period_line,
)
from peak.reporting.source import RunSource
from peak.reporting.studies import gate_section, monte_carlo_section, stress_section, walk_forward_section

STUDIES = {
    "robustness": ("walk_forward", "monte_carlo", "stress"),
    "walk_forward": ("walk_forward",),
    "monte_carlo": ("monte_carlo",),
    "stress": ("stress",),
}
"""The studies each task's run holds."""
TITLES = {
    "walk_forward": "Walk-forward report",
    "monte_carlo": "Monte-Carlo report",
    "stress": "Stress report",
}


def build_robustness_report(source: RunSource) -> Report:
    """The robustness report of ``source``. Example: ``build_robustness_report(load_run(uri, run_id))``."""
    studies = STUDIES.get(source.task, STUDIES["robustness"])
    curve = read_curve(source.file("equity.parquet"))
    equity, dd = equity_figures(curve, "Equity of the configured run")
    sections: list[Section] = []
    if source.task == "robustness":
        sections.append(gate_section(source))
    summary = (Text(period_line(source)), headline_cards(source.metrics), equity, dd)
    sections.append(Section("run", "The run", summary))
    if "walk_forward" in studies:
        sections.append(walk_forward_section(source))
    if "monte_carlo" in studies:
        sections.append(monte_carlo_section(source, curve))
    if "stress" in studies:
        sections.append(stress_section(source))
    sections += [config_section(source), lineage_section(source)]
    verdict = source.tags.get("peak.verdict")
    title = f"Robustness report: {verdict}" if verdict else TITLES.get(source.task, "Robustness report")
    return Report("robustness", source.run_id, title, subtitle(source), tuple(sections), footer(source))
