"""Order creation that never duplicates an order.

A create that fails ambiguously (timeout, dropped connection, 5xx, unreadable reply) may still have been
placed. Before sending it again, look it up by its client order id (Kraken ``cl_ord_id``): open orders
first, then closed ones. Only when it is in neither is it re-sent with the same client id.

Example: ``create_order_once(client, "BTC/USDT", "buy", "market", 0.01, None, "peak-1f3a", {})``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import ccxt

from peak.core.errors import ExchangeError
from peak.exchange.ladder import OrderStateUnknown, translate
from peak.exchange.retry import call_with_retry

if TYPE_CHECKING:
    from peak.exchange.client import ExchangeClient


def new_client_id() -> str:
    """A fresh client order id: a UUID, which Kraken's ``cl_ord_id`` accepts."""
    return str(uuid.uuid4())


def find_by_client_id(client: ExchangeClient, symbol: str | None, client_id: str) -> dict | None:
    """The order with ``client_id`` among open orders, then closed orders; ``None`` if neither has it."""
    params = {"cl_ord_id": client_id}
    for method in ("fetch_open_orders", "fetch_closed_orders"):
        what = f"{method} cl_ord_id={client_id}"
        orders = call_with_retry(
            lambda m=method: getattr(client.ccxt, m)(symbol, None, None, params), what, client.retry
        )
        # Filter again: a venue (or an older ccxt) may ignore the cl_ord_id filter.
        for order in orders:
            if order.get("clientOrderId") == client_id:
                return order
    return None


def _lookup_or_unknown(
    client: ExchangeClient, symbol: str, client_id: str, cause: ExchangeError
) -> dict | None:
    """``find_by_client_id``, turning its failure into ``OrderStateUnknown`` (never a blind retry)."""
    try:
        return find_by_client_id(client, symbol, client_id)
    except ExchangeError as exc:
        raise OrderStateUnknown(
            f"order cl_ord_id={client_id} on {symbol}: create failed ambiguously ({cause}) and the lookup "
            f"failed ({exc}); reconcile by client id before sending it again"
        ) from exc


def create_order_once(
    client: ExchangeClient,
    symbol: str,
    side: str,
    order_type: str,
    amount: float,
    price: float | None,
    client_id: str,
    params: dict[str, Any],
) -> dict:
    """Create the order; on an ambiguous failure look it up by ``client_id`` before any retry."""
    request = {**params, "clientOrderId": client_id}
    what = f"create_order {side} {amount} {symbol} cl_ord_id={client_id}"
    attempt = 0
    while True:
        try:
            return client.ccxt.create_order(symbol, order_type, side, amount, price, dict(request))
        except ccxt.BaseError as exc:
            err = translate(exc, what)
            if getattr(err, "ambiguous", False) and not params.get("validate"):
                found = _lookup_or_unknown(client, symbol, client_id, err)
                if found is not None:
                    return found
            if getattr(err, "policy", "") != "retry" or attempt >= client.retry.retries:
                raise err from exc
            client.retry.wait(attempt, err)
            attempt += 1
