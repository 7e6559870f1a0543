"""What is at each stage of each lineage, with the record that put it there, and every record ever made.

``peak registry list`` prints :func:`render_table` or, with ``--json``, :meth:`RegistryView.as_json`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from peak.registry.models import managed_models, stage_versions
from peak.registry.records import PromotionRecord, read_records
from peak.registry.stages import STAGES
from peak.tracking.store import open_client


@dataclass(frozen=True)
class StageEntry:
    """The version an alias points at and the newest record that promoted that version to that stage
    (None if the alias was set outside Peak)."""

    model: str
    stage: str
    version: int
    record: PromotionRecord | None


@dataclass(frozen=True)
class RegistryView:
    """Every stage entry (by model, in stage order) and every record (oldest first)."""

    stages: tuple[StageEntry, ...]
    records: tuple[PromotionRecord, ...]

    def as_json(self) -> dict[str, Any]:
        """Plain JSON data; an infinite metric value is the string ``"Infinity"``."""

        def plain(record: PromotionRecord | None) -> Any:
            return None if record is None else json.loads(record.model_dump_json())

        return {
            "stages": [
                {"model": e.model, "stage": e.stage, "version": e.version, "record": plain(e.record)}
                for e in self.stages
            ],
            "records": [plain(r) for r in self.records],
        }


def _newest(
    records: Sequence[PromotionRecord], model: str, stage: str, version: int
) -> PromotionRecord | None:
    found = [r for r in records if (r.model, r.stage, r.version) == (model, stage, version)]
    return found[-1] if found else None


def registry_view(uri: str) -> RegistryView:
    """Read the registry of the store at ``uri``.

    Example: ``[(e.model, e.stage, e.version) for e in registry_view(uri).stages]`` →
    ``[("ma_crossover-BTCUSDT-1h", "candidate", 2), ("ma_crossover-BTCUSDT-1h", "paper", 1)]``.
    """
    client = open_client(uri)
    records = read_records(client)
    entries = []
    for model in managed_models(client):
        aliases = stage_versions(client, model)
        for stage in STAGES:
            if stage in aliases:
                version = aliases[stage]
                entries.append(StageEntry(model, stage, version, _newest(records, model, stage, version)))
    return RegistryView(tuple(entries), tuple(records))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]
    lines = [headers, *rows]
    return ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines]


def _gate(record: PromotionRecord) -> str:
    passed = sum(c.passed for c in record.criteria)
    count = len(record.gate_overrides)
    waived = f" ({count} override{'s' if count != 1 else ''}, see --json)" if count else ""
    return f"{record.gate} {passed}/{len(record.criteria)}{waived}"


def _when(record: PromotionRecord) -> str:
    return record.promoted_at[:19].replace("T", " ")


def _evidence(record: PromotionRecord) -> str:
    return ",".join(r[:8] for r in record.evidence_run_ids)


def render_table(view: RegistryView) -> str:
    """The stages table, then one row per record; run ids in full where a command needs them."""
    if not view.records and not view.stages:
        return "no promotions yet"
    stage_rows = []
    for e in view.stages:
        r = e.record
        stage_rows.append(
            [
                e.model,
                e.stage,
                f"v{e.version}",
                r.run_id if r else "?",
                _when(r) if r else "?",
                r.requested_by if r else "?",
                (r.approved_by or "-") if r else "?",
                _evidence(r) if r else "?",
                _gate(r) if r else "(alias set outside peak promote)",
            ]
        )
    record_rows = [
        [
            _when(r),
            r.model,
            f"v{r.version}",
            f"{r.from_stage or '-'} -> {r.stage}",
            f"v{r.previous_version}" if r.previous_version else "-",
            r.requested_by,
            r.approved_by or "-",
            _gate(r),
            r.record_id,
        ]
        for r in view.records
    ]
    stages = _table(
        ["MODEL", "STAGE", "VERSION", "RUN", "PROMOTED (UTC)", "BY", "APPROVED BY", "EVIDENCE", "GATE"],
        stage_rows,
    )
    history = _table(
        ["PROMOTED (UTC)", "MODEL", "VERSION", "STAGE", "REPLACED", "BY", "APPROVED BY", "GATE", "RECORD"],
        record_rows,
    )
    return "\n".join([*stages, "", f"promotion records ({len(view.records)}, oldest first):", *history])
