"""``execution`` group: the fee, slippage, liquidity and order-size models applied to simulated fills."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from peak.core.config import FrozenModel

FeeModel = Literal["flat", "maker_taker"]
SlippageModel = Literal["fixed", "range"]

# each optional parameter belongs to one model value: required there, rejected elsewhere
_OWNER: dict[str, tuple[str, str]] = {
    "fee_rate": ("fee_model", "flat"),
    "maker_fee": ("fee_model", "maker_taker"),
    "taker_fee": ("fee_model", "maker_taker"),
    "slippage_bps": ("slippage_model", "fixed"),
    "range_share": ("slippage_model", "range"),
}


def _check_owned(value: float | None, info: ValidationInfo) -> float | None:
    model_key, owner = _OWNER[str(info.field_name)]
    chosen = info.data.get(model_key)
    if chosen is None:  # the model key itself is invalid and reported on its own
        return value
    if chosen == owner and value is None:
        raise ValueError(f"required when {model_key} is {owner}")
    if chosen != owner and value is not None:
        raise ValueError(f"only used when {model_key} is {owner} ({model_key} is {chosen}); set it to null")
    return value


class SymbolRules(FrozenModel):
    """Exchange order rules for one symbol, e.g. ``{lot_size: 0.00001, min_qty: 0.0001, min_notional: 5}``."""

    lot_size: float | None = Field(default=None, gt=0.0)
    """Quantity step in base units: fills are rounded down to a multiple of it; null = any quantity."""
    min_qty: float = Field(default=0.0, ge=0.0)
    """Smallest order that opens or increases a position, in base units; smaller orders are skipped."""
    min_notional: float = Field(default=0.0, ge=0.0)
    """Smallest order value in quote currency (quantity × fill price) that opens or increases a position."""


class ExecutionConfig(FrozenModel):
    """How simulated orders fill. ``simple``: flat fee and fixed slippage. ``realistic``: maker/taker fees,
    slippage as a share of the bar's range, a volume participation cap and per-symbol order rules.

    Every model parameter is required by its model and rejected by the others, so nothing is silently
    ignored. Fill rules in detail: docs/backtest.md ("Execution models").
    """

    name: Literal["simple", "realistic"] = "simple"
    fee_model: FeeModel = "flat"
    """flat: ``fee_rate`` on every fill; maker_taker: take-profit exits are maker (resting limit orders),
    every other fill (market orders at the open, stop exits) is taker."""
    fee_rate: float | None = Field(default=0.001, ge=0.0, lt=0.1, validate_default=True)
    """flat: fraction of fill notional per fill, e.g. 0.001 = 10 bps."""
    maker_fee: float | None = Field(default=None, ge=0.0, lt=0.1, validate_default=True)
    """maker_taker: fee rate of maker fills, e.g. 0.0025."""
    taker_fee: float | None = Field(default=None, ge=0.0, lt=0.1, validate_default=True)
    """maker_taker: fee rate of taker fills, e.g. 0.004."""
    slippage_model: SlippageModel = "fixed"
    """fixed: ``slippage_bps`` against the fill side; range: ``range_share`` × the fill bar's high − low."""
    slippage_bps: float | None = Field(default=5.0, ge=0.0, le=1000.0, validate_default=True)
    """fixed: adverse price move per fill in basis points, e.g. 5 = 0.05 %."""
    range_share: float | None = Field(default=None, ge=0.0, le=1.0, validate_default=True)
    """range: adverse move as a share of the fill bar's high − low, clamped to the bar, e.g. 0.1."""
    volume_cap: float | None = Field(default=None, gt=0.0, le=1.0)
    """Largest share of a bar's volume one symbol's fills may take, e.g. 0.05; the rest fills on later
    bars. null = unlimited."""
    symbols: dict[str, SymbolRules] = Field(default_factory=dict)
    """Order rules per symbol, e.g. ``{"BTC/USDT": {lot_size: 0.00001, min_qty: 0.0001}}``."""

    _owned = field_validator("fee_rate", "maker_fee", "taker_fee", "slippage_bps", "range_share")(
        _check_owned
    )

    @field_validator("symbols")
    @classmethod
    def _check_symbols(cls, value: dict[str, SymbolRules]) -> dict[str, SymbolRules]:

        bad = [key for key in value if not re.fullmatch(r"[A-Z0-9]+/[A-Z0-9]+", key)]
        if bad:
            raise ValueError(f"symbol keys must look like BTC/USDT; got {', '.join(map(repr, bad))}")
        return value

    def fee_rates(self) -> tuple[float, float]:
        """(maker, taker) fee rates; the flat model charges the same on both."""
        if self.fee_model == "maker_taker":
            return float(self.maker_fee or 0.0), float(self.taker_fee or 0.0)
        return float(self.fee_rate or 0.0), float(self.fee_rate or 0.0)

    def is_simple(self) -> bool:
        """True when fills need only the flat fee and fixed slippage of the single-book kernels."""
        return (
            self.fee_model == "flat"
            and self.slippage_model == "fixed"
            and self.volume_cap is None
            and not self.symbols
        )
