"""Evidence-gated promotion of a logged run to a stage: judge, refuse with every reason, or record and move.

Nothing is written unless the promotion is allowed. An allowed promotion registers the run as a version
of its lineage's model (:mod:`peak.registry.models`), writes the record (:mod:`peak.registry.records`),
moves the stage's alias, and only then closes the record FINISHED.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from peak.core.errors import PromotionRefused
from peak.registry.evidence import Evidence, gather_evidence
from peak.registry.gate import GateConfig
from peak.registry.models import ensure_model, model_name, move_alias, register_run, stage_versions
from peak.registry.records import (
    PROMOTIONS_EXPERIMENT,
    RECORD_ARTIFACT,
    CriterionRecord,
    PromotionRecord,
    read_records,
    record_tags,
)
from peak.registry.stages import Stage, ladder_reasons, people_reasons
from peak.registry.verdict import gate_reasons, judge
from peak.tracking.mlflow_run import create_run
from peak.tracking.store import open_client
from peak.tracking.tracked import TrackedRun


@dataclass(frozen=True)
class PromotionRequest:
    """What ``peak promote`` asks for. ``gate_overrides`` are the Hydra overrides the gate was composed
    with (recorded; any of them needs an approver).

    Example: ``PromotionRequest(run_id="3f2a...", stage="live", requested_by="alice", approved_by="bob")``.
    """

    run_id: str
    stage: Stage
    requested_by: str
    approved_by: str | None = None
    evidence_run_ids: tuple[str, ...] = ()
    gate_overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Judged:
    evidence: Evidence
    model: str | None
    criteria: tuple[CriterionRecord, ...]
    earlier: tuple[PromotionRecord, ...]
    reasons: tuple[str, ...]


def _judge(client: Any, request: PromotionRequest, gate: GateConfig) -> _Judged:
    evidence = gather_evidence(client, request.run_id, request.evidence_run_ids)
    model = model_name(evidence.subject.tags)
    criteria = judge(gate, evidence)
    earlier = tuple(r for r in read_records(client, model) if r.run_id == request.run_id) if model else ()
    reasons = list(evidence.problems)
    if evidence.subject.task is not None:  # judging a sweep parent's metrics would only add noise
        reasons += gate_reasons(gate, criteria, evidence)
    if model is None:
        reasons.append(
            f"run {request.run_id} lacks the peak.strategy, peak.symbol or peak.timeframe tag that names "
            "its lineage"
        )
    else:
        version = earlier[-1].version if earlier else None
        reasons += ladder_reasons(request.stage, model, version, {r.stage for r in earlier})
    reasons += people_reasons(
        request.stage, request.requested_by, request.approved_by, bool(request.gate_overrides)
    )
    return _Judged(evidence, model, criteria, earlier, tuple(reasons))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _record(
    client: Any, uri: str, request: PromotionRequest, gate: GateConfig, judged: _Judged, model: str
) -> PromotionRecord:
    subject = judged.evidence.subject
    ensure_model(client, model, subject.tags)
    version = register_run(client, model, subject)
    record = PromotionRecord(
        model=model,
        version=version,
        stage=request.stage,
        from_stage=judged.earlier[-1].stage if judged.earlier else None,
        previous_version=stage_versions(client, model).get(request.stage),
        run_id=subject.run_id,
        evidence_run_ids=judged.evidence.run_ids,
        requested_by=request.requested_by,
        approved_by=request.approved_by,
        promoted_at=_now(),
        gate=gate.name,
        gate_overrides=request.gate_overrides,
        verdict="GO",
        criteria=judged.criteria,
    )
    name = f"{request.stage}: {model} v{version}"
    handle = create_run(uri, PROMOTIONS_EXPERIMENT, name, record_tags(record))
    record = record.model_copy(update={"record_id": handle.info.run_id})
    # The record closes FINISHED only after the alias moved; a failure in between leaves a FAILED run,
    # which is not a record (peak.tracking.tracked closes it with the traceback).
    with TrackedRun(handle):
        handle.log(params=record.params())
        handle.log_text(record.model_dump_json(indent=2), RECORD_ARTIFACT)
        move_alias(client, model, request.stage, version)
        client.set_model_version_tag(model, str(version), f"peak.record.{request.stage}", record.record_id)
    return record


def promote(uri: str, request: PromotionRequest, gate: GateConfig) -> PromotionRecord:
    """Promote ``request.run_id`` to ``request.stage`` in the store at ``uri`` if the gate passes on its
    logged evidence and the stage and four-eyes rules hold; else raise ``PromotionRefused`` listing every
    reason, having written nothing.

    Example: ``promote(uri, PromotionRequest("3f2a...", "paper", "alice"), gate).version`` → ``2``.
    """
    client = open_client(uri)
    judged = _judge(client, request, gate)
    if judged.reasons or judged.model is None:
        raise PromotionRefused(f"run {request.run_id} to {request.stage}", judged.reasons)
    return _record(client, uri, request, gate, judged, judged.model)
