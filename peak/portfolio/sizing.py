"""Sizing rules: how much quote currency a new entry commits.

Entries only happen from flat, so "current equity" at an entry equals the cash on hand.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from peak.core.config import FrozenModel

SizingName = Literal["all_in", "fixed_fraction", "fixed_notional", "vol_target"]
"""The values of ``portfolio.sizing``."""


class AllIn(FrozenModel):
    """Every entry commits all equity (fee included). Example: ``AllIn()``."""

    kind: Literal["all_in"] = "all_in"


class FixedFraction(FrozenModel):
    """Every entry commits ``fraction`` of current equity. Example: ``FixedFraction(fraction=0.5)``."""

    kind: Literal["fixed_fraction"] = "fixed_fraction"
    fraction: float = Field(gt=0.0, le=1.0)


class FixedNotional(FrozenModel):
    """Every entry commits ``notional`` quote units, capped by cash.

    Example: ``FixedNotional(notional=2500.0)``.
    """

    kind: Literal["fixed_notional"] = "fixed_notional"
    notional: float = Field(gt=0.0, le=1e12)


class VolTarget(FrozenModel):
    """Every entry commits ``min(1, target_vol / realised_vol)`` of equity.

    ``realised_vol`` is the annualised sample stdev (ddof 1) of the last ``lookback`` simple close-to-close
    returns up to the signal bar; no entry is made before ``lookback + 1`` closes exist.
    Example: ``VolTarget(target_vol=0.4, lookback=168)`` (40 % a year, one week of hourly bars).
    """

    kind: Literal["vol_target"] = "vol_target"
    target_vol: float = Field(gt=0.0, le=10.0)
    lookback: int = Field(default=168, ge=2, le=100_000)


Sizing = AllIn | FixedFraction | FixedNotional | VolTarget
"""Any sizing rule; ``peak.backtest.simulate(..., sizing=FixedFraction(fraction=0.5))``."""
