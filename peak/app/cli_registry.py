"""``peak promote`` and ``peak registry list``: evidence-gated promotion through MLflow's model registry.

The gate is composed from ``conf/`` (the ``gate`` group, default ``go_no_go``) exactly as ``peak-run``
composes it; the judging, records and aliases are :mod:`peak.registry`'s. Heavy imports stay inside the
commands so that ``peak --help`` stays fast.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from peak.core.errors import ConfigError, PeakError, PromotionRefused

if TYPE_CHECKING:
    from peak.registry.gate import GateConfig
    from peak.registry.records import PromotionRecord

registry_app = typer.Typer(
    help="The promotion registry: what is at each stage, with its evidence.", no_args_is_help=True
)

_GATE_OVERRIDE = re.compile(r"^[~+]{0,2}gate([.=]|$)")


def _fail(command: str, exc: PeakError, as_json: bool = False) -> typer.Exit:
    if as_json and isinstance(exc, PromotionRefused):
        typer.echo(json.dumps({"promoted": False, "reasons": list(exc.reasons)}, indent=2))
    typer.echo(f"peak {command}: error: {exc}", err=True)
    return typer.Exit(code=exc.exit_code)


def compose_gate(overrides: Sequence[str]) -> GateConfig:
    """The ``gate`` group of ``conf/`` with ``overrides``; any override that is not about the gate is a
    ``ConfigError`` (a promotion judges logged runs; it does not change what ran).

    Only the gate is validated: the whole run config would import the simulation stack (~2 s) for nothing.
    Example: ``compose_gate(["gate.criteria.sharpe.min=1.2"]).criteria["sharpe"].min`` → ``1.2``.
    """
    from pydantic import ValidationError, create_model

    from peak.app.config_errors import describe_validation_error
    from peak.app.paths import conf_dir, register_resolvers
    from peak.app.preflight import check_single_run
    from peak.core.config import FrozenModel
    from peak.registry.gate import GateConfig

    # The gate alone, under its key, so that error lines name the full key path (gate.criteria...).
    gate_only = create_model("GateOnly", __base__=FrozenModel, gate=(GateConfig, ...))
    other = [o for o in overrides if not _GATE_OVERRIDE.match(o)]
    if other:
        raise ConfigError(
            "peak promote takes gate overrides only (gate=<name>, gate.criteria.<name>.min=...), "
            f"got {other[0]!r}"
        )
    register_resolvers()
    raw = {"gate": check_single_run(overrides, conf_dir()).get("gate")}
    try:
        return gate_only.model_validate(raw).gate  # type: ignore[attr-defined]
    except ValidationError as exc:
        problems = describe_validation_error(exc, raw, gate_only)
        raise ConfigError("invalid gate:\n" + "\n".join(f"  - {p}" for p in problems)) from exc


def _summary(record: PromotionRecord) -> list[str]:
    was = f"v{record.previous_version}" if record.previous_version else "none"
    passed = sum(c.passed for c in record.criteria)
    approver = f", approved by {record.approved_by}" if record.approved_by else ""
    lines = [
        f"promoted run {record.run_id} to {record.stage}: {record.model} version {record.version} "
        f"(alias {record.stage}: {was} -> v{record.version})",
        f"gate {record.gate}: {record.verdict} ({passed} of {len(record.criteria)} passed)"
        + (f" with {' '.join(record.gate_overrides)}" if record.gate_overrides else ""),
    ]
    for c in record.criteria:
        lines.append(f"  PASS {c.required}: {c.actual:.4g} (run {c.source_run_id})")
    lines.append(
        f"record {record.record_id} (experiment promotions) by {record.requested_by}{approver} "
        f"at {record.promoted_at}"
    )
    return lines


def promote(
    run_id: Annotated[str, typer.Argument(help="The MLflow run id to promote (peak-run prints it)")],
    to: Annotated[str, typer.Option("--to", help="Stage: candidate, paper or live")],
    by: Annotated[str, typer.Option("--by", help="Who asks for the promotion, e.g. alice")],
    overrides: Annotated[
        list[str] | None,
        typer.Argument(
            help="Gate overrides, e.g. gate.criteria.sharpe.min=1.2 (recorded; needs --approved-by)"
        ),
    ] = None,
    approved_by: Annotated[
        str | None, typer.Option("--approved-by", help="Second person; required for live and gate overrides")
    ] = None,
    evidence: Annotated[
        list[str] | None,
        typer.Option(
            "--evidence", help="Robustness run of the same config (default: found by its lineage tags)"
        ),
    ] = None,
    uri: Annotated[str | None, typer.Option(help="Tracking URI (default: the project's store)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record or refusal as JSON")] = False,
) -> None:
    """Promote a logged run to a stage if the gate (conf/gate/) passes on its logged evidence."""
    from peak.app.paths import project_root
    from peak.registry.promote import PromotionRequest
    from peak.registry.promote import promote as promote_run
    from peak.registry.stages import parse_person, parse_stage
    from peak.tracking.store import resolve_uri

    try:
        request = PromotionRequest(
            run_id=run_id.strip(),
            stage=parse_stage(to),
            requested_by=parse_person(by, "--by") or "",
            approved_by=parse_person(approved_by, "--approved-by"),
            evidence_run_ids=tuple(evidence or ()),
            gate_overrides=tuple(overrides or ()),
        )
        gate = compose_gate(request.gate_overrides)
        record = promote_run(resolve_uri(uri, project_root()), request, gate)
    except PeakError as exc:
        raise _fail("promote", exc, as_json) from exc
    if as_json:
        typer.echo(json.dumps({"promoted": True, **json.loads(record.model_dump_json())}, indent=2))
        return
    typer.echo("\n".join(_summary(record)))


@registry_app.command("list")
def registry_list(
    uri: Annotated[str | None, typer.Option(help="Tracking URI (default: the project's store)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print stages and records as JSON")] = False,
) -> None:
    """What is at each stage of each strategy lineage, with its evidence, and every promotion record."""
    from peak.app.paths import project_root
    from peak.registry.listing import registry_view, render_table
    from peak.tracking.store import resolve_uri

    try:
        view = registry_view(resolve_uri(uri, project_root()))
    except PeakError as exc:
        raise _fail("registry list", exc) from exc
    typer.echo(json.dumps(view.as_json(), indent=2) if as_json else render_table(view))
