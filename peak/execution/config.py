"""``execution`` group: the cost model applied to simulated fills."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from peak.core.config import FrozenModel


class ExecutionConfig(FrozenModel):
    """Flat fee on fill notional plus fixed slippage against the fill side.

    Buys fill at ``open * (1 + s)``, sells at ``open * (1 - s)`` with ``s = slippage_bps / 10_000``.
    """

    name: Literal["simple"] = "simple"
    fee_rate: float = Field(default=0.001, ge=0.0, lt=0.1)
    """Fraction of fill notional charged per fill, e.g. 0.001 = 10 bps."""
    slippage_bps: float = Field(default=5.0, ge=0.0, le=1000.0)
    """Adverse price move per fill in basis points, e.g. 5 = 0.05 %."""
