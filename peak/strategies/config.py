"""``strategy`` group models, one per strategy, selected by ``name``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from peak.core.config import FrozenModel


class MACrossoverConfig(FrozenModel):
    """Long while SMA(close, fast) > SMA(close, slow); flat otherwise and during warm-up."""

    name: Literal["ma_crossover"] = "ma_crossover"
    fast: int = Field(default=20, ge=1, le=100_000)
    slow: int = Field(default=50, validate_default=True, ge=2, le=100_000)

    @field_validator("slow")
    @classmethod
    def _slow_after_fast(cls, slow: int, info: ValidationInfo) -> int:
        return int(_check_order(slow, info, "fast", ">"))


def _check_order(value: float, info: ValidationInfo, other: str, relation: str) -> float:
    """Cross-field check run on the later field, so the error's ``loc`` names it (e.g. ``strategy.exit``).

    ``relation`` is one of ``<``, ``<=``, ``>``: how ``value`` must compare with the field ``other``.
    Skipped when ``other`` itself failed validation (it then has its own error). Fields checked here set
    ``validate_default=True``: pydantic skips validators on defaults, so ``entry=60`` alone (exit left at
    its default 50) would otherwise pass.
    """
    ref = info.data.get(other)
    if ref is None:
        return value
    ok = {"<": value < ref, "<=": value <= ref, ">": value > ref}[relation]
    if not ok:
        word = {"<": "below", "<=": "at most", ">": "above"}[relation]
        raise ValueError(f"must be {word} {other} ({ref}); got {value}")
    return value


class RSIReversionConfig(FrozenModel):
    """Long from RSI < entry until RSI > exit; optional short from RSI > short_entry until < short_exit."""

    name: Literal["rsi_reversion"] = "rsi_reversion"
    period: int = Field(default=14, ge=2, le=1_000)
    entry: float = Field(default=30.0, gt=0.0, lt=100.0)
    exit: float = Field(default=50.0, validate_default=True, gt=0.0, lt=100.0)
    allow_short: bool = False
    short_entry: float = Field(default=70.0, validate_default=True, gt=0.0, lt=100.0)
    short_exit: float = Field(default=50.0, validate_default=True, gt=0.0, lt=100.0)

    @field_validator("exit")
    @classmethod
    def _exit_above_entry(cls, value: float, info: ValidationInfo) -> float:
        return _check_order(value, info, "entry", ">")

    @field_validator("short_entry")
    @classmethod
    def _short_entry_above_entry(cls, value: float, info: ValidationInfo) -> float:
        return _check_order(value, info, "entry", ">")

    @field_validator("short_exit")
    @classmethod
    def _short_exit_below_short_entry(cls, value: float, info: ValidationInfo) -> float:
        return _check_order(value, info, "short_entry", "<")


class BollingerConfig(FrozenModel):
    """Long from close < lower band until close >= middle; optional short from close > upper to <= middle."""

    name: Literal["bollinger"] = "bollinger"
    window: int = Field(default=20, ge=2, le=10_000)
    k: float = Field(default=2.0, gt=0.0, le=10.0)
    allow_short: bool = False


class MACDConfig(FrozenModel):
    """Long while the MACD line (EMA fast - EMA slow) is above its signal EMA; flat otherwise."""

    name: Literal["macd"] = "macd"
    fast: int = Field(default=12, ge=1, le=10_000)
    slow: int = Field(default=26, validate_default=True, ge=2, le=10_000)
    signal: int = Field(default=9, ge=1, le=10_000)

    @field_validator("slow")
    @classmethod
    def _slow_after_fast(cls, slow: int, info: ValidationInfo) -> int:
        return int(_check_order(slow, info, "fast", ">"))


class MomentumConfig(FrozenModel):
    """Long from lookback return > threshold until it falls below exit_threshold (fractions, 0.02 = 2 %)."""

    name: Literal["momentum"] = "momentum"
    lookback: int = Field(default=168, ge=1, le=100_000)
    threshold: float = Field(default=0.02, gt=-1.0, le=10.0)
    exit_threshold: float = Field(default=0.0, validate_default=True, gt=-1.0, le=10.0)

    @field_validator("exit_threshold")
    @classmethod
    def _exit_not_above_entry(cls, value: float, info: ValidationInfo) -> float:
        return _check_order(value, info, "threshold", "<=")


class MeanReversionConfig(FrozenModel):
    """Long from z-score < -entry_z until z > -exit_z; z = (close - rolling mean) / rolling std."""

    name: Literal["mean_reversion"] = "mean_reversion"
    window: int = Field(default=50, ge=2, le=10_000)
    entry_z: float = Field(default=2.0, gt=0.0, le=10.0)
    exit_z: float = Field(default=0.5, validate_default=True, ge=-10.0, le=10.0)
    ddof: Literal[0, 1] = 0

    @field_validator("exit_z")
    @classmethod
    def _exit_inside_entry(cls, value: float, info: ValidationInfo) -> float:
        return _check_order(value, info, "entry_z", "<")


class BreakoutConfig(FrozenModel):
    """Long on close > prior ``window``-bar high; exit below prior ``exit_window``-bar low, stop or target."""

    name: Literal["breakout"] = "breakout"
    window: int = Field(default=20, ge=1, le=10_000)
    exit_window: int = Field(default=10, ge=1, le=10_000)
    stop: float | None = Field(default=0.05, gt=0.0, lt=1.0)
    target: float | None = Field(default=0.10, gt=0.0, le=100.0)


class TrendFollowingConfig(FrozenModel):
    """Long from ADX > adx_threshold, +DI > -DI and close > SMA.

    Exit on ADX < exit_threshold, -DI > +DI or close < SMA(close, ma_window).
    """

    name: Literal["trend_following"] = "trend_following"
    adx_period: int = Field(default=14, ge=2, le=1_000)
    adx_threshold: float = Field(default=25.0, gt=0.0, lt=100.0)
    exit_threshold: float = Field(default=20.0, validate_default=True, ge=0.0, lt=100.0)
    ma_window: int = Field(default=50, ge=1, le=100_000)

    @field_validator("exit_threshold")
    @classmethod
    def _exit_not_above_entry(cls, value: float, info: ValidationInfo) -> float:
        return _check_order(value, info, "adx_threshold", "<=")


StrategyConfig = Annotated[
    MACrossoverConfig
    | RSIReversionConfig
    | BollingerConfig
    | MACDConfig
    | MomentumConfig
    | MeanReversionConfig
    | BreakoutConfig
    | TrendFollowingConfig,
    Field(discriminator="name"),
]
