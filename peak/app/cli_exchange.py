"""``peak exchange double``: serve the loopback Kraken double until Ctrl-C (docs/exchange.md)."""

from __future__ import annotations

import time
from typing import Annotated

import typer

exchange_app = typer.Typer(
    help="The exchange layer: the loopback Kraken double for paper and testnet rehearsals.",
    no_args_is_help=True,
)


@exchange_app.command("double")
def double(
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port on 127.0.0.1 (0: any free port)")] = 8765,
    now_s: Annotated[
        int | None, typer.Option(help="Freeze the double's clock at this epoch second (default: now)")
    ] = None,
) -> None:
    """Serve a stateful fake of Kraken's spot REST API on 127.0.0.1 that ccxt.kraken talks to."""
    from peak.exchange.double import DoubleConfig, KrakenDouble

    server = KrakenDouble(DoubleConfig(port=port, now_s=now_s)).start()
    typer.echo(f"Kraken double on {server.url} (exchange.base_url={server.url})")
    typer.echo(f"credentials: PEAK_EXCHANGE_KEY={server.key} PEAK_EXCHANGE_SECRET={server.secret}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
