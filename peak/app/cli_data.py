"""``peak data download|check|list``: fill the local parquet catalog from an exchange, audit a file or a
catalog folder, and list what the catalog holds. Errors are one line ``peak data: error: ...`` and the
``PeakError`` exit code."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from peak.core.errors import PeakError

if TYPE_CHECKING:
    from peak.exchange import ExchangeClient

data_app = typer.Typer(
    help="Download, resume, check and list market data in the local catalog.", no_args_is_help=True
)

Root = Annotated[
    Path | None, typer.Option("--root", help="Catalog root (default: $PEAK_CATALOG_DIR, else <project>/data)")
]


def _guarded(action: Callable[[], None]) -> None:
    try:
        action()
    except PeakError as exc:
        typer.echo(f"peak data: error: {exc}", err=True)
        raise typer.Exit(code=exc.exit_code) from exc


@data_app.command("check")
def check(
    path: Annotated[
        Path, typer.Argument(help="A catalog folder (data/kraken/BTC-USD/1h) or a CSV/parquet file")
    ],
    timeframe: Annotated[
        str | None, typer.Option(help="Bar length; default: the manifest or the common step")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of Markdown")] = False,
) -> None:
    """Report gaps, duplicates, non-monotonic time, price outliers, zero-volume runs and OHLC
    inconsistencies. Exits 0 even when problems are found (it is a report, not a gate)."""

    def run() -> None:
        from peak.core.errors import DataError
        from peak.data.audit import audit_path

        found = _existing(path)
        if found is None:
            raise DataError("no such file or folder (here or under the project home)", source=str(path))
        audit = audit_path(found, timeframe=timeframe)
        typer.echo(json.dumps(audit.to_dict(), indent=2) if as_json else audit.to_markdown().rstrip())

    _guarded(run)


def _existing(path: Path) -> Path | None:
    """``path`` if it exists, else a relative path under the project home (``data/kraken/BTC-USD/1h`` is
    where the default catalog puts it, whatever the current folder)."""
    from peak.app.paths import project_root

    if path.exists():
        return path
    under_home = project_root() / path
    return under_home if not path.is_absolute() and under_home.exists() else None


@data_app.command("list")
def list_(root: Root = None, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """One line per catalog folder: exchange, symbol, timeframe, bars, range and fingerprint."""

    def run() -> None:
        from peak.app.download import default_catalog_root
        from peak.data.catalog import list_catalog

        base = root if root is not None else default_catalog_root()
        found = list_catalog(base)
        if as_json:
            typer.echo(json.dumps([{"path": str(p), **m.to_dict()} for p, m in found], indent=2))
            return
        if not found:
            typer.echo(f"the catalog at {base} is empty")
        for folder, m in found:
            typer.echo(
                f"{m.exchange} {m.symbol} {m.timeframe}: {m.n_bars} bars {m.first} .. {m.last_complete} "
                f"fingerprint {m.fingerprint[:12]} ({folder})"
            )

    _guarded(run)


@data_app.command("download")
def download_cmd(
    symbol: Annotated[str, typer.Option(help="Market, e.g. BTC/USD")],
    since: Annotated[str, typer.Option(help="First bar open time, ISO 8601 UTC, e.g. 2024-01-01")],
    exchange: Annotated[str, typer.Option(help="ccxt exchange id")] = "kraken",
    timeframe: Annotated[str, typer.Option(help="Bar length, e.g. 1h")] = "1h",
    until: Annotated[str | None, typer.Option(help="Exclusive end time (default: now)")] = None,
    resume: Annotated[bool, typer.Option(help="Continue after the catalog's last complete bar")] = False,
    root: Root = None,
    base_url: Annotated[
        str | None, typer.Option(help="API root of a loopback double, e.g. http://127.0.0.1:8765")
    ] = None,
    page_limit: Annotated[int, typer.Option(min=1, help="Candles asked for per request")] = 720,
) -> None:
    """Page through the exchange's OHLCV endpoint into the catalog, then print the quality report."""

    def run() -> None:
        from peak.app.download import default_catalog_root, download
        from peak.data.audit import audit_path
        from peak.data.catalog import catalog_dir
        from peak.data.timestamps import parse_instant

        since_ms = parse_instant(since, key="--since") // 1_000_000
        until_ms = parse_instant(until, key="--until") // 1_000_000 if until else None
        folder = catalog_dir(
            root if root is not None else default_catalog_root(), exchange, symbol, timeframe
        )
        client = _open_client(exchange, base_url)
        try:
            summary = download(
                client,
                folder,
                exchange=exchange,
                symbol=symbol,
                timeframe=timeframe,
                since_ms=since_ms,
                until_ms=until_ms,
                resume=resume,
                page_limit=page_limit,
            )
        finally:
            client.close()
        typer.echo(f"wrote {summary.bars_written} bars in {summary.pages} pages to {folder}")
        typer.echo(audit_path(folder).to_markdown().rstrip())

    _guarded(run)


def _open_client(exchange: str, base_url: str | None) -> ExchangeClient:
    """The public-data client of ``peak.exchange`` for ccxt id ``exchange`` (no credentials needed)."""
    from peak.exchange import ExchangeConfig, open_exchange

    return open_exchange(ExchangeConfig(id=exchange, base_url=base_url))
