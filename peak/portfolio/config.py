"""``portfolio`` group: capital, shorting and how each entry is sized."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from peak.core.config import FrozenModel
from peak.portfolio.sizing import AllIn, FixedFraction, FixedNotional, Sizing, SizingName, VolTarget

# the sizing each optional parameter belongs to: it is required there and rejected elsewhere
_OWNER = {"fraction": "fixed_fraction", "notional": "fixed_notional", "target_vol": "vol_target"}


def _check_owned(value: float | None, info: ValidationInfo) -> float | None:
    sizing, owner = info.data.get("sizing"), _OWNER[str(info.field_name)]
    if sizing is None:  # sizing itself is invalid; that error is reported on its own
        return value
    if sizing == owner and value is None:
        raise ValueError(f"required when sizing is {owner}")
    if sizing != owner and value is not None:
        raise ValueError(
            f"only used when sizing is {owner} (sizing is {sizing}); remove it or set it to null"
        )
    return value


class CapitalConfig(FrozenModel):
    """Capital, shorting and sizing, shared by every portfolio kind. Keys are flat so that the command
    line can say ``portfolio.sizing=fixed_fraction portfolio.fraction=0.5``."""

    initial_cash: float = Field(default=10_000.0, gt=0.0, le=1e12)
    """Starting cash in quote currency (USDT for the bundled sample)."""
    allow_short: bool = False
    """When false a negative target means flat; when true it means short."""
    sizing: SizingName = "all_in"
    """How much each entry commits: all_in, fixed_fraction, fixed_notional or vol_target."""
    fraction: float | None = Field(default=None, gt=0.0, le=1.0, validate_default=True)
    """fixed_fraction: fraction of current equity per entry, e.g. 0.5."""
    notional: float | None = Field(default=None, gt=0.0, le=1e12, validate_default=True)
    """fixed_notional: quote amount per entry, capped by cash, e.g. 2500.0."""
    target_vol: float | None = Field(default=None, gt=0.0, le=10.0, validate_default=True)
    """vol_target: annualised target volatility, e.g. 0.4 = 40 % a year."""
    vol_lookback: int = Field(default=168, ge=2, le=100_000)
    """vol_target: number of close-to-close returns in the realised volatility, e.g. 168 (a week of 1h)."""

    _owned = field_validator("fraction", "notional", "target_vol")(_check_owned)

    def sizing_rule(self) -> Sizing:
        """The selected rule as a sizing model, e.g. ``FixedFraction(fraction=0.5)``."""
        if self.sizing == "fixed_fraction" and self.fraction is not None:
            return FixedFraction(fraction=self.fraction)
        if self.sizing == "fixed_notional" and self.notional is not None:
            return FixedNotional(notional=self.notional)
        if self.sizing == "vol_target" and self.target_vol is not None:
            return VolTarget(target_vol=self.target_vol, lookback=self.vol_lookback)
        return AllIn()


class PortfolioConfig(CapitalConfig):
    """``portfolio=single``: one strategy on one symbol (``strategy`` and ``data.symbol``)."""

    name: Literal["single"] = "single"


RebalanceRule = Literal["none", "on_signal", "periodic"]
"""When sleeve budgets follow the total equity: never, at each sleeve's entry, or every period."""

MissingBarPolicy = Literal["hold", "drop"]
"""Timestamps where one asset has no bar: ``hold`` keeps them (that asset cannot trade and is valued at its
last close); ``drop`` removes them for every asset."""
