"""Strategy config models: ranges and cross-field rules fail with a ValidationError naming the key."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from peak.strategies.config import (
    BollingerConfig,
    BreakoutConfig,
    MACDConfig,
    MACrossoverConfig,
    MeanReversionConfig,
    MomentumConfig,
    RSIReversionConfig,
    StrategyConfig,
    TrendFollowingConfig,
)

BAD = [
    (RSIReversionConfig, {"period": 1}, "period", "greater than or equal"),
    (RSIReversionConfig, {"entry": 0.0}, "entry", "greater than"),
    (RSIReversionConfig, {"entry": 60.0}, "exit", "above entry"),
    (RSIReversionConfig, {"short_entry": 20.0}, "short_entry", "above entry"),
    (RSIReversionConfig, {"short_exit": 80.0}, "short_exit", "below short_entry"),
    (BollingerConfig, {"window": 1}, "window", "greater than or equal"),
    (BollingerConfig, {"k": 0.0}, "k", "greater than"),
    (MACDConfig, {"fast": 30}, "slow", "must be above fast"),
    (MACDConfig, {"signal": 0}, "signal", "greater than or equal"),
    (MomentumConfig, {"lookback": 0}, "lookback", "greater than or equal"),
    (MomentumConfig, {"threshold": 0.01, "exit_threshold": 0.02}, "exit_threshold", "at most threshold"),
    (MeanReversionConfig, {"ddof": 2}, "ddof", "0 or 1"),
    (MeanReversionConfig, {"entry_z": 1.0, "exit_z": 1.0}, "exit_z", "below entry_z"),
    (BreakoutConfig, {"stop": 1.0}, "stop", "less than"),
    (BreakoutConfig, {"target": -0.1}, "target", "greater than"),
    (BreakoutConfig, {"exit_window": 0}, "exit_window", "greater than or equal"),
    (TrendFollowingConfig, {"exit_threshold": 30.0}, "exit_threshold", "at most adx_threshold"),
    (TrendFollowingConfig, {"ma_window": 0}, "ma_window", "greater than or equal"),
    (MACrossoverConfig, {"fast": 60}, "slow", "must be above fast"),
]


@pytest.mark.parametrize(
    ("model", "kwargs", "field", "message"),
    BAD,
    ids=[f"{m.__name__}-{f}-{i}" for i, (m, _, f, _) in enumerate(BAD)],
)
def test_strategy_config_when_out_of_range_or_inconsistent_then_error_names_key(
    model: type, kwargs: dict, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as info:
        model(**kwargs)
    errors = info.value.errors()
    assert [e["loc"] for e in errors] == [(field,)], errors
    assert message in errors[0]["msg"], errors[0]["msg"]


@pytest.mark.parametrize(
    "model",
    [
        RSIReversionConfig,
        BollingerConfig,
        MACDConfig,
        MomentumConfig,
        MeanReversionConfig,
        BreakoutConfig,
        TrendFollowingConfig,
    ],
)
def test_strategy_config_when_unknown_key_then_extra_forbidden(model: type) -> None:
    with pytest.raises(ValidationError, match=r"Extra inputs"):
        model(windwo=3)


def test_strategy_config_when_union_dispatch_then_loc_names_strategy_and_key() -> None:
    with pytest.raises(ValidationError) as info:
        TypeAdapter(StrategyConfig).validate_python({"name": "breakout", "window": 0})
    assert info.value.errors()[0]["loc"] == ("breakout", "window")


def test_breakout_config_when_stop_and_target_null_then_disabled() -> None:
    cfg = BreakoutConfig(stop=None, target=None)
    assert cfg.stop is None and cfg.target is None


def test_strategy_config_when_frozen_then_cannot_be_mutated() -> None:
    cfg = RSIReversionConfig()
    with pytest.raises(ValidationError, match="frozen"):
        cfg.entry = 10.0  # type: ignore[misc]
