"""``portfolio`` group: capital and how it is allocated."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from peak.core.config import FrozenModel


class PortfolioConfig(FrozenModel):
    """One strategy on one symbol with all capital (all-in long sizing)."""

    name: Literal["single"] = "single"
    initial_cash: float = Field(default=10_000.0, gt=0.0, le=1e12)
    """Starting cash in quote currency (USDT for the bundled sample)."""
