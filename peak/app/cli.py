"""``peak``: the operator CLI. It composes the same ``conf/`` as ``peak-run`` through Hydra's compose API."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

import peak
from peak.core.errors import PeakError

app = typer.Typer(
    help="Peak operator CLI. Commands marked (not yet) are planned and exit with code 2.",
    no_args_is_help=True,
    add_completion=False,
)
config_app = typer.Typer(help="Inspect and validate the composed configuration.", no_args_is_help=True)
app.add_typer(config_app, name="config")
mlflow_app = typer.Typer(
    help="MLflow helpers: recover stale runs, resume a stopped sweep (ui: not yet).", no_args_is_help=True
)
app.add_typer(mlflow_app, name="mlflow")

PLANNED: dict[str, str] = {
    "ops": "health checks, portfolio and open orders (ops health|portfolio|orders)",
    "live": "paper, shadow, testnet and live trading sessions",
    "report": "HTML, PDF and Markdown reports of runs, sweeps and robustness studies",
    "rerun": "recompose and rerun a logged run, comparing every metric",
    "promote": "evidence-gated promotion candidate -> paper -> live",
    "registry": "what is promoted at each stage, with its evidence",
    "runbook": "validate, plan and run runbooks and incident drills",
    "data": "download, resume, check and list market data",
    "exchange": "the exchange wrapper and the loopback Kraken double",
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


@mlflow_app.command("ui", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def mlflow_ui(ctx: typer.Context) -> None:
    """(not yet) start the MLflow UI on 127.0.0.1 with safe flags."""
    typer.echo("peak mlflow ui: not yet available (start the MLflow UI for reviewers).", err=True)
    raise typer.Exit(code=2)


def main() -> None:
    """Console entry point (``peak``)."""
    sys.exit(app())
