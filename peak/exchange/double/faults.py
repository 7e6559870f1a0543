"""Fault injection for the double: by config, by Python call, or by ``POST /__control/faults``.

Kinds:
- ``latency``: answer normally after ``delay_s``;
- ``timeout``: sleep ``delay_s`` (set it past the client timeout), then drop the connection unprocessed;
- ``http_500``: HTTP 500 with a plain-text body;
- ``rate_limit``, ``insufficient_funds``, ``invalid_nonce``, ``service_unavailable``: Kraken's error
  string with HTTP 200, as Kraken sends them;
- ``ambiguous_create``: process the request (the order is recorded), then drop the connection.

Example: ``Fault(kind="ambiguous_create", endpoint="AddOrder", count=1)``.
"""

from __future__ import annotations

import threading
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FaultKind = Literal[
    "latency",
    "timeout",
    "http_500",
    "rate_limit",
    "insufficient_funds",
    "invalid_nonce",
    "service_unavailable",
    "ambiguous_create",
]

KRAKEN_ERRORS = {
    "rate_limit": "EAPI:Rate limit exceeded",
    "insufficient_funds": "EOrder:Insufficient funds",
    "invalid_nonce": "EAPI:Invalid nonce",
    "service_unavailable": "EService:Unavailable",
}


class Fault(BaseModel):
    """One fault for the next ``count`` requests to ``endpoint`` (``*``: any endpoint; -1: forever)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FaultKind
    endpoint: str = "*"
    count: int = Field(default=1, ge=-1)
    delay_s: float = Field(default=0.0, ge=0)


class FaultPlan:
    """The pending faults, consumed in order of insertion; thread-safe."""

    def __init__(self, faults: list[Fault] | None = None) -> None:
        self._pending: list[list] = [[f, f.count] for f in faults or []]
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Queue ``fault``."""
        with self._lock:
            self._pending.append([fault, fault.count])

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._pending.clear()

    def take(self, endpoint: str) -> Fault | None:
        """The first pending fault matching ``endpoint`` (its count decremented), or ``None``."""
        with self._lock:
            for entry in self._pending:
                fault, left = entry
                if fault.endpoint in ("*", endpoint) and left != 0:
                    entry[1] = left - 1 if left > 0 else left
                    return fault
            return None
