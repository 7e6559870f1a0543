"""The report of ``peak rerun``: what was compared, what differed, and its text and JSON forms."""

from __future__ import annotations

from typing import Any

from peak.core.config import FrozenModel
from peak.tracking.compare import MetricCheck
from peak.tracking.run_dir import json_safe_metrics

REPRODUCIBLE_TAG = "peak.reproducible"
"""Set on the original run: ``true`` or ``false`` after its latest rerun."""


class LineageCheck(FrozenModel):
    """One lineage fact of the original run against the rerun, e.g. ``LineageCheck(name="data fingerprint",
    tag="peak.data_fingerprint", original="1e33...", rerun="1e33...", matches=True, decisive=True)``.
    ``decisive``: a mismatch makes the run not reproducible (only the data fingerprint)."""

    name: str
    tag: str
    original: str
    rerun: str
    matches: bool
    decisive: bool


class RerunReport(FrozenModel):
    """What ``peak rerun`` found; ``--json`` prints :func:`report_payload` of it."""

    run_id: str
    run_name: str
    experiment: str
    task: str
    rerun_id: str | None
    """The rerun's own MLflow run, None with ``--no-track``."""
    rerun_dir: str
    checked_at: str
    reproducible: bool
    compared: int
    """Distinct metric names compared (over both sources)."""
    per_source: dict[str, int]
    mismatches: tuple[MetricCheck, ...]
    not_compared: tuple[str, ...]
    """Wall-clock metrics, which no rerun can repeat (``grid.cells_per_second``)."""
    lineage: tuple[LineageCheck, ...]
    warnings: tuple[str, ...]


def summary_line(report: RerunReport) -> str:
    """``all 11 metrics match exactly`` or ``2 of 11 metrics differ; data fingerprint differs``."""
    differing = len({m.name for m in report.mismatches})
    text = (
        f"all {report.compared} metrics match exactly"
        if not differing
        else f"{differing} of {report.compared} metrics differ"
    )
    data = next((c for c in report.lineage if c.decisive), None)
    if data is not None and not data.matches:
        text += "; data fingerprint differs"
    return text


def _value(value: float | None, present: bool) -> Any:
    if not present:
        return "absent"
    return json_safe_metrics({"v": value})["v"]


def report_payload(report: RerunReport) -> dict[str, Any]:
    """The report as strict JSON data: NaN and infinities as ``"nan"``/``"inf"``, a metric missing on one
    side as ``"absent"``."""
    payload = report.model_dump(mode="python", exclude={"mismatches"})
    payload["lineage"] = [c.model_dump() for c in report.lineage]
    payload["summary"] = summary_line(report)
    payload["mismatches"] = [
        {
            "name": m.name,
            "source": m.source,
            "original": _value(m.original, m.in_original),
            "rerun": _value(m.rerun, m.in_rerun),
        }
        for m in report.mismatches
    ]
    return payload


def _shown(value: float | None, present: bool) -> str:
    if not present:
        return "(absent)"
    return "null" if value is None else repr(value)


def format_report(report: RerunReport) -> str:
    """The text ``peak rerun`` prints: what ran, the lineage, then a table of mismatches or the all-match
    line, then the verdict. Warnings are not included (the CLI prints them on stderr)."""
    rerun = report.rerun_id or "not tracked (--no-track)"
    lines = [
        f"rerun of run {report.run_id} ({report.run_name or report.task}) in experiment {report.experiment}",
        f"  rerun run: {rerun}",
        f"  folder:    {report.rerun_dir}",
        "lineage:",
    ]
    for check in report.lineage:
        state = "same" if check.matches else "DIFFERS"
        lines.append(f"  {check.name:<17} {state:<8} run {check.original}  rerun {check.rerun}")
    if report.mismatches:
        rows = [("metric", "source", "original", "rerun")]
        rows += [
            (m.name, m.source, _shown(m.original, m.in_original), _shown(m.rerun, m.in_rerun))
            for m in report.mismatches
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines.append("mismatches:")
        lines += [
            "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
    sources = ", ".join(f"{v} from {k}" for k, v in report.per_source.items())
    lines.append(f"{summary_line(report)} (bit for bit: {sources})")
    if report.not_compared:
        lines.append(f"not compared (wall-clock timing): {', '.join(report.not_compared)}")
    verdict = "yes" if report.reproducible else "NO"
    tag_value = "true" if report.reproducible else "false"
    lines.append(f"reproducible: {verdict} (run {report.run_id} tagged {REPRODUCIBLE_TAG}={tag_value})")
    return "\n".join(lines)
