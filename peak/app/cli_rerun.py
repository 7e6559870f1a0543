"""``peak rerun <run id> [--json]``: the command; the work is in :mod:`peak.app.rerun`."""

from __future__ import annotations

from typing import Annotated

import typer

from peak.core.errors import PeakError


def rerun(
    run_id: Annotated[str, typer.Argument(help="The MLflow run id to rerun (a run made by peak-run)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    track: Annotated[
        bool, typer.Option("--track/--no-track", help="Record the rerun as its own MLflow run")
    ] = True,
    uri: Annotated[str | None, typer.Option(help="Tracking URI (default: the project's store)")] = None,
) -> None:
    """Rerun a tracked run from its logged config and compare every metric bit for bit.

    Exits 0 when every metric matches and the data is unchanged, 1 otherwise; tags the run
    peak.reproducible=true|false (docs/reviewing.md).
    """
    from peak.app.rerun import rerun_run
    from peak.app.rerun_report import format_report, report_payload

    try:
        report = rerun_run(run_id, uri=uri, track=track)
    except PeakError as exc:
        typer.echo(f"peak rerun: error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from exc
    for warning in report.warnings:
        typer.echo(f"peak rerun: warning: {warning}", err=True)
    if as_json:
        import json

        typer.echo(json.dumps(report_payload(report), indent=2, sort_keys=True, allow_nan=False))
    else:
        typer.echo(format_report(report))
    raise typer.Exit(code=0 if report.reproducible else 1)
