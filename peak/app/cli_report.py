"""``peak report run|sweep|robustness <RUN_ID>``: reports for reviewers, built from MLflow by run id."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from peak.core.errors import PeakError
from peak.reporting.config import Format

report_app = typer.Typer(
    help="HTML, PDF and Markdown reports of runs, sweeps and robustness studies, from MLflow by run id.",
    no_args_is_help=True,
)

RunId = Annotated[str, typer.Argument(help="The MLflow run id")]
Formats = Annotated[str, typer.Option("--format", "-f", help="Comma-separated formats: html, pdf, md")]
Out = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Folder for the reports (default: <project>/experiments/reports/)"),
]
Uri = Annotated[str | None, typer.Option(help="Tracking URI (default: the project's store)")]
Writer = Callable[[str, tuple[Format, ...], Path], list[Path]]


def _write(kind: str, formats: str, out: Path | None, uri: str | None, writer: Writer) -> None:
    """Resolve the store and folder, write, print each file; a ``PeakError`` is one line and its exit code."""
    from peak.app.paths import project_root
    from peak.reporting.pdf import PdfUnavailableError
    from peak.reporting.write import parse_formats
    from peak.tracking.store import resolve_uri

    store = resolve_uri(uri, project_root())
    folder = out if out is not None else project_root() / "experiments" / "reports"
    try:
        paths = writer(store, parse_formats(formats), folder)
    except PdfUnavailableError as exc:
        for path in exc.written:  # the other formats were written before the PDF failed
            typer.echo(f"wrote {path}")
        typer.echo(f"peak report {kind}: error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from exc
    except PeakError as exc:
        typer.echo(f"peak report {kind}: error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from exc
    for path in paths:
        typer.echo(f"wrote {path}")


@report_app.command("run")
def report_run(run_id: RunId, fmt: Formats = "html,pdf,md", out: Out = None, uri: Uri = None) -> None:
    """One backtest or portfolio run: metrics, equity, drawdown, monthly returns, trades, sleeves,
    config and lineage."""
    from peak.reporting.reports import report_run as write

    _write("run", fmt, out, uri, lambda store, formats, folder: write(store, run_id, formats, folder))


@report_app.command("sweep")
def report_sweep(
    run_id: RunId,
    fmt: Formats = "html,pdf,md",
    out: Out = None,
    uri: Uri = None,
    metric: Annotated[str, typer.Option(help="Rank the trials by this metric")] = "sharpe",
) -> None:
    """A multirun's parent run (peak-run -m) or a task=grid run: trials ranked by a metric, heat maps,
    sensitivity, best against median, deflated Sharpe and PBO."""
    from peak.reporting.reports import report_sweep as write

    _write(
        "sweep", fmt, out, uri, lambda store, formats, folder: write(store, run_id, formats, folder, metric)
    )


@report_app.command("robustness")
def report_robustness(run_id: RunId, fmt: Formats = "html,pdf,md", out: Out = None, uri: Uri = None) -> None:
    """A task=robustness run: the Go/No-Go verdict criterion by criterion, walk-forward, Monte-Carlo and
    stress (also a single walk_forward, monte_carlo or stress run)."""
    from peak.reporting.reports import report_robustness as write

    _write("robustness", fmt, out, uri, lambda store, formats, folder: write(store, run_id, formats, folder))
