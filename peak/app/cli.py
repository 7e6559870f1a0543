"""``peak``: the operator CLI. It composes the same ``conf/`` as ``peak-run`` through Hydra's compose API."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

import peak
from peak.app.cli_data import data_app
from peak.app.cli_exchange import exchange_app
from peak.app.cli_registry import promote, registry_app
from peak.app.cli_report import report_app
from peak.app.cli_rerun import rerun
from peak.core.errors import PeakError

app = typer.Typer(
    help="Peak operator CLI. Commands marked (not yet) are planned and exit with code 2.",
    no_args_is_help=True,
    add_completion=False,
)
config_app = typer.Typer(help="Inspect and validate the composed configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")
mlflow_app = typer.Typer(
    help="MLflow helpers: the review UI, recover stale runs, resume a stopped sweep.", no_args_is_help=True
)
app.add_typer(mlflow_app, name="mlflow")
app.add_typer(report_app, name="report")
app.add_typer(data_app, name="data")
app.add_typer(exchange_app, name="exchange")

PLANNED: dict[str, str] = {
    "ops": "health checks, portfolio and open orders (ops health|portfolio|orders)",
    "live": "paper, shadow, testnet and live trading sessions",
    "runbook": "validate, plan and run runbooks and incident drills",
    "dashboard": "the read-only operations dashboard",
}


def _planned(name: str, what: str) -> None:
    def command(ctx: typer.Context) -> None:
        typer.echo(f"peak {name}: not yet available ({what}).", err=True)
        raise typer.Exit(code=2)

    command.__doc__ = f"(not yet) {what}"
    app.command(name=name, context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(
        command
    )


for _name, _what in PLANNED.items():
    _planned(_name, _what)

app.command("rerun")(rerun)

app.command("promote")(promote)
app.add_typer(registry_app, name="registry")


@app.command()
def version() -> None:
    """Print Peak's version."""
    typer.echo(peak.__version__)


@config_app.command("check")
def config_check(
    overrides: Annotated[
        list[str] | None, typer.Argument(help="Hydra overrides, e.g. strategy.fast=10")
    ] = None,
) -> None:
    """Compose conf/ with OVERRIDES and validate it exactly as peak-run would; prints the config."""
    from peak.app.compose import compose_run_config

    try:
        cfg = compose_run_config(overrides or [])
    except PeakError as exc:
        typer.echo(f"peak config check: error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from exc
    import yaml

    typer.echo(yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False).rstrip())


@app.command()
def recipes(
    write: Annotated[
        Path | None,
        typer.Option(help="Replace the generated table in this Markdown file instead of printing"),
    ] = None,
) -> None:
    """List the recipe presets in conf/experiment/ as one Markdown table (profile, sleeves, sizing, stops)."""
    from peak.app.recipes import recipe_table, replace_table

    try:
        table = recipe_table()
    except PeakError as exc:
        typer.echo(f"peak recipes: error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from exc
    if write is None:
        typer.echo(table)
        return
    write.write_text(replace_table(write.read_text(), table))
    typer.echo(f"updated the recipe table in {write}")


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _seconds(text: str) -> float:
    """``90s``, ``30m``, ``6h``, ``2d`` → seconds; a typo is a clear error."""
    unit, number = text[-1:], text[:-1]
    if unit not in _UNITS or not number.replace(".", "", 1).isdigit():
        raise typer.BadParameter(f"{text!r}: use a number and one of s, m, h, d, e.g. 6h")
    return float(number) * _UNITS[unit]


@mlflow_app.command("resume")
def mlflow_resume(
    run_id: Annotated[str, typer.Argument(help="The sweep's parent run id")],
    uri: Annotated[str | None, typer.Option(help="Tracking URI (default: the project's store)")] = None,
) -> None:
    """Relaunch a stopped sweep under its parent run; jobs that already finished are skipped."""
    import os
    import subprocess
    import sys

    from peak.app.paths import project_root
    from peak.tracking.resume import sweep_to_resume
    from peak.tracking.store import resolve_uri
    from peak.tracking.sweep import RESUME_ENV

    store = resolve_uri(uri, project_root())
    try:
        plan = sweep_to_resume(store, run_id)
    except PeakError as exc:
        typer.echo(f"peak mlflow resume: error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from exc
    command = [
        sys.executable,
        "-m",
        "peak.app.run",
        "-m",
        *plan.overrides,
        f"hydra.sweep.dir={plan.sweep_dir}",
    ]
    if uri is not None:
        command.append(f"tracking.uri={uri}")
    typer.echo(f"resuming sweep {run_id} ({plan.status}) in {plan.sweep_dir}")
    code = subprocess.call(command, env={**os.environ, RESUME_ENV: run_id}, cwd=project_root())
    raise typer.Exit(code=code)


@mlflow_app.command("recover")
def mlflow_recover(
    older_than: Annotated[
        str | None, typer.Option(help="Also close RUNNING runs started longer ago than this, e.g. 6h")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="List what would be closed; change nothing")] = False,
    uri: Annotated[str | None, typer.Option(help="Tracking URI (default: the project's store)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs as JSON")] = False,
) -> None:
    """Close runs left RUNNING by a dead process (same host, process gone) as KILLED."""
    from peak.app.paths import project_root
    from peak.tracking.recover import find_stale, recover_stale
    from peak.tracking.store import resolve_uri

    limit = _seconds(older_than) if older_than else None
    store = resolve_uri(uri, project_root())
    try:
        stale = find_stale(store, older_than_s=limit)
        if not dry_run:
            recover_stale(store, stale)
    except PeakError as exc:
        typer.echo(f"peak mlflow recover: error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from exc
    if as_json:
        import json

        typer.echo(json.dumps([vars(s) | {"closed": not dry_run} for s in stale], indent=2))
        return
    verb = "would close" if dry_run else "closed"
    for s in stale:
        typer.echo(f"{verb} {s.run_id} ({s.experiment}/{s.name}) as KILLED: {s.reason}")
    done = "found (dry run)" if dry_run else "closed"
    typer.echo(f"{len(stale)} stale run{'s' if len(stale) != 1 else ''} {done} in {store}")


@mlflow_app.command("ui")
def mlflow_ui(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")] = 5000,
    host: Annotated[str, typer.Option(help="Interface; anything but loopback needs --expose")] = "127.0.0.1",
    expose: Annotated[
        bool, typer.Option("--expose", help="Allow a non-loopback --host such as 0.0.0.0 (no login!)")
    ] = False,
    uri: Annotated[str | None, typer.Option(help="Tracking URI (default: the project's store)")] = None,
    print_command: Annotated[
        bool, typer.Option("--print-command", help="Print the equivalent `mlflow server` command; exit")
    ] = False,
) -> None:
    """Serve the MLflow UI on 127.0.0.1 for the project's store until Ctrl-C (docs/reviewing.md)."""
    import shlex

    from peak.app.paths import project_root
    from peak.tracking.store import resolve_uri
    from peak.tracking.ui import exposure_warning, serve, server_command, ui_settings

    try:
        settings = ui_settings(resolve_uri(uri, project_root()), host=host, port=port, expose=expose)
        if print_command:
            typer.echo(shlex.join(server_command(settings)))
            return
        if settings.exposed:
            typer.echo(exposure_warning(settings), err=True)
        code = serve(settings, announce=lambda line: typer.echo(line))
    except PeakError as exc:
        typer.echo(f"peak mlflow ui: error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from exc
    raise typer.Exit(code=code)


def main() -> None:
    """Console entry point (``peak``)."""
    sys.exit(app())
