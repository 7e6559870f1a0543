"""The error ladder: every ccxt exception class → a Peak error and a policy.

``retry``: transient, try again with backoff (``TemporaryExchangeError``).
``refuse``: this request is wrong or not possible now; do not repeat it (``ExchangeError``).
``halt``: the account or setup is broken (keys, permissions, location); stop trading (``ExchangeHalted``).

``ambiguous`` marks failures after which a request may or may not have been executed by the venue
(timeouts, dropped connections, 5xx, unreadable replies): an order create must then be looked up by its
client order id before any retry.

Example: ``translate(ccxt.DDoSProtection("kraken {...}"))`` → ``TemporaryExchangeError`` with
``policy="retry"`` and ``rate_limited=True``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import ccxt

from peak.core.errors import ExchangeError, TemporaryExchangeError

Policy = Literal["retry", "refuse", "halt"]


class ExchangeHalted(ExchangeError):
    """The account or connection setup is broken (bad key, no permission, suspended): stop trading."""


class OrderStateUnknown(ExchangeError):
    """An order create failed ambiguously and the lookup by client order id failed too.

    The order may or may not exist: reconcile (``fetch_open_orders``/``fetch_closed_orders`` with the
    client id) before sending it again. Deliberately not a ``TemporaryExchangeError``, so no generic retry
    loop re-sends it.
    """


@dataclass(frozen=True)
class Rung:
    """How one ccxt exception class is handled."""

    policy: Policy
    ambiguous: bool = False
    rate_limited: bool = False


_R = Rung("retry")
_RA = Rung("retry", ambiguous=True)
_RL = Rung("retry", rate_limited=True)
_F = Rung("refuse")
_H = Rung("halt")

# Keyed by class name so the table reads like ccxt.base.errors; the hierarchy test proves it is complete.
LADDER: dict[str, Rung] = {
    "BaseError": _F,
    "ExchangeError": _F,
    "AuthenticationError": _H,
    "PermissionDenied": _H,
    "AccountNotEnabled": _H,
    "AccountSuspended": _H,
    "ArgumentsRequired": _F,
    "BadRequest": _F,
    "BadSymbol": _F,
    "OperationRejected": _F,
    "NoChange": _F,
    "MarginModeAlreadySet": _F,
    "MarketClosed": _F,
    "ManualInteractionNeeded": _H,
    "RestrictedLocation": _H,
    "InsufficientFunds": _F,
    "InvalidAddress": _F,
    "AddressPending": _F,
    "InvalidOrder": _F,
    "OrderNotFound": _F,
    "OrderNotCached": _F,
    "OrderImmediatelyFillable": _F,
    "OrderNotFillable": _F,
    "DuplicateOrderId": _F,
    "ContractUnavailable": _F,
    "NotSupported": _F,
    "InvalidProxySettings": _H,
    "ExchangeClosedByUser": _F,
    # OperationFailed and below: the request may succeed if repeated.
    "OperationFailed": _RA,
    "NetworkError": _RA,
    "DDoSProtection": _RL,
    "RateLimitExceeded": _RL,
    # 5xx / maintenance: the venue may have executed the request before failing.
    "ExchangeNotAvailable": _RA,
    "OnMaintenance": _R,
    # Kraken rejects a stale nonce before executing anything; a fresh nonce fixes it.
    "InvalidNonce": _R,
    "ChecksumError": _R,
    "RequestTimeout": _RA,
    "BadResponse": _RA,
    "NullResponse": _RA,
    "CancelPending": _R,
    "UnsubscribeError": _F,
}


def rung_for(exc: BaseException) -> Rung:
    """The rung of ``exc``'s most specific class in the ladder (a future ccxt class inherits its parent's)."""
    for klass in type(exc).__mro__:
        if klass.__name__ in LADDER and issubclass(klass, ccxt.BaseError):
            return LADDER[klass.__name__]
    return LADDER["BaseError"]


def translate(exc: ccxt.BaseError, what: str) -> ExchangeError:
    """The Peak error for ``exc`` raised by ``what`` (e.g. ``"fetch_ohlcv BTC/USDT"``).

    The result carries ``policy``, ``ambiguous``, ``rate_limited`` and ``ccxt_class`` attributes.
    """
    rung = rung_for(exc)
    klass: type[ExchangeError] = {
        "retry": TemporaryExchangeError,
        "refuse": ExchangeError,
        "halt": ExchangeHalted,
    }[rung.policy]
    err = klass(f"{what}: {type(exc).__name__} ({rung.policy}): {exc}")
    err.policy = rung.policy  # type: ignore[attr-defined]
    err.ambiguous = rung.ambiguous  # type: ignore[attr-defined]
    err.rate_limited = rung.rate_limited  # type: ignore[attr-defined]
    err.ccxt_class = type(exc).__name__  # type: ignore[attr-defined]
    return err
