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
    "mlflow": "MLflow helpers: recover stale runs, start the UI",
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


def main() -> None:
    """Console entry point (``peak``)."""
    sys.exit(app())
