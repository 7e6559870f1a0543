"""``RiskConfig``: stop, target and trailing stop are optional fractions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from peak.risk.config import RiskConfig


def test_risk_config_when_defaults_then_every_rule_off() -> None:
    cfg = RiskConfig()
    assert (cfg.stop_loss, cfg.take_profit, cfg.trailing_stop) == (None, None, None)


@pytest.mark.parametrize(
    "kwargs",
    [{"stop_loss": 0.0}, {"stop_loss": 1.0}, {"take_profit": -0.1}, {"trailing_stop": 1.0}, {"stop": 0.1}],
)
def test_risk_config_when_value_out_of_range_or_unknown_key_then_validation_error(kwargs: dict) -> None:
    with pytest.raises(ValidationError):
        RiskConfig(**kwargs)


def test_risk_config_when_take_profit_above_one_then_allowed() -> None:
    assert RiskConfig(take_profit=2.0).take_profit == 2.0  # +200 % is a legitimate long target
