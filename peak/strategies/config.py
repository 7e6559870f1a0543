"""``strategy`` group models, one per strategy, selected by ``name``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from peak.core.config import FrozenModel


class MACrossoverConfig(FrozenModel):
    """Long while SMA(close, fast) > SMA(close, slow); flat otherwise and during warm-up."""

    name: Literal["ma_crossover"] = "ma_crossover"
    fast: int = Field(default=20, ge=1, le=100_000)
    slow: int = Field(default=50, ge=2, le=100_000)

    @field_validator("slow")
    @classmethod
    def _slow_after_fast(cls, slow: int, info: ValidationInfo) -> int:
        fast = info.data.get("fast")
        if fast is not None and fast >= slow:
            raise ValueError(f"must be greater than fast ({fast})")
        return slow


StrategyConfig = Annotated[MACrossoverConfig, Field(discriminator="name")]
