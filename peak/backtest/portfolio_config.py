"""``portfolio=weighted``: several sleeves (strategy × symbol × weight) on one shared cash account.

It lives in ``peak.backtest`` rather than ``peak.portfolio`` because a sleeve names a strategy config, and
``peak.portfolio`` may not import ``peak.strategies`` (they are sibling layers in ARCHITECTURE.md).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from peak.core.config import FrozenModel
from peak.portfolio.config import CapitalConfig, MissingBarPolicy, PortfolioConfig, RebalanceRule
from peak.risk.config import RiskConfig
from peak.strategies.config import StrategyConfig

WEIGHT_TOLERANCE = 1e-9
"""How far the sleeve weights may sum from 1.0 (rounding in hand-written decimals)."""


class SleeveConfig(FrozenModel):
    """One sleeve. Anything it leaves out comes from the run's own groups: ``symbol`` from
    ``data.symbol``, ``strategy`` from the ``strategy`` group, ``risk`` from the ``risk`` group.

    Example: ``{symbol: ETH/USDT, weight: 0.25, strategy: {name: rsi_reversion, entry: 25}}``.
    """

    weight: float = Field(gt=0.0, le=1.0)
    """Share of the initial cash (and, when rebalancing, of the total equity) this sleeve trades."""
    symbol: str | None = Field(default=None, pattern=r"^[A-Z0-9]+/[A-Z0-9]+$")
    strategy: StrategyConfig | None = None
    risk: RiskConfig | None = None


class WeightedPortfolioConfig(CapitalConfig):
    """``portfolio=weighted``: sleeves share one cash account; docs/portfolio.md has the accounting."""

    name: Literal["weighted"] = "weighted"
    sleeves: dict[str, SleeveConfig] = Field(min_length=1, max_length=64)
    """Sleeves by name (letters, digits, ``_``), in the order entries are funded within a bar."""
    rebalance: RebalanceRule = "none"
    """none: each sleeve compounds on its own; on_signal: an entry is sized from weight × total equity;
    periodic: also resize open positions to weight × total equity every ``rebalance_every``."""
    rebalance_every: str | None = Field(default=None, validate_default=True)
    """periodic: calendar period such as 1d or 1w (weeks start Monday 00:00 UTC)."""
    rebalance_threshold: float = Field(default=0.0, ge=0.0, lt=1.0)
    """periodic: skip a resize smaller than this share of the position, e.g. 0.05 (saves fees)."""
    max_leverage: float = Field(default=1.0, gt=0.0, le=10.0)
    """Cap on gross exposure / total equity for new fills. At 1.0 or below cash never goes negative."""
    missing_bars: MissingBarPolicy = "hold"
    """hold: keep every timestamp; an asset without a bar cannot trade there and is valued at its last
    close. drop: keep only timestamps where every asset has a bar."""

    @field_validator("sleeves")
    @classmethod
    def _check_sleeves(cls, sleeves: dict[str, SleeveConfig]) -> dict[str, SleeveConfig]:
        bad = [name for name in sleeves if not name.replace("_", "").isalnum()]
        if bad:
            raise ValueError(f"sleeve names may hold letters, digits and _ only; got {', '.join(bad)}")
        total = math.fsum(s.weight for s in sleeves.values())
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            listed = ", ".join(f"{name}={s.weight:g}" for name, s in sleeves.items())
            raise ValueError(f"sleeve weights must sum to 1.0; they sum to {total:g} ({listed})")
        return sleeves

    @field_validator("rebalance_every")
    @classmethod
    def _check_period(cls, value: str | None, info: ValidationInfo) -> str | None:
        from peak.core.timeframe import Timeframe

        rule = info.data.get("rebalance")
        if rule == "periodic" and value is None:
            raise ValueError("required when rebalance is periodic, e.g. 1d or 1w")
        if rule is not None and rule != "periodic" and value is not None:
            raise ValueError(f"only used when rebalance is periodic (rebalance is {rule}); set it to null")
        if value is None:
            return None
        try:
            return Timeframe.parse(value).text
        except Exception as exc:  # re-raised so pydantic attaches the key path
            raise ValueError(str(exc)) from exc

    @model_validator(mode="after")
    def _check_threshold(self) -> WeightedPortfolioConfig:
        if self.rebalance_threshold > 0.0 and self.rebalance != "periodic":
            raise ValueError(
                f"rebalance_threshold is only used when rebalance is periodic (rebalance is {self.rebalance})"
            )
        return self


AnyPortfolioConfig = Annotated[PortfolioConfig | WeightedPortfolioConfig, Field(discriminator="name")]
"""The ``portfolio`` group: ``single`` or ``weighted``."""
