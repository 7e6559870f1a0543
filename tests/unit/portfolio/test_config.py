"""``PortfolioConfig``: shorting switch and sizing parameters validated together."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from peak.portfolio.config import PortfolioConfig
from peak.portfolio.sizing import AllIn, FixedFraction, FixedNotional, VolTarget


def test_portfolio_config_when_defaults_then_long_only_all_in() -> None:
    cfg = PortfolioConfig()
    assert cfg.allow_short is False and cfg.sizing_rule() == AllIn()


@pytest.mark.parametrize(
    ("kwargs", "rule"),
    [
        ({"sizing": "fixed_fraction", "fraction": 0.25}, FixedFraction(fraction=0.25)),
        ({"sizing": "fixed_notional", "notional": 100.0}, FixedNotional(notional=100.0)),
        (
            {"sizing": "vol_target", "target_vol": 0.3, "vol_lookback": 48},
            VolTarget(target_vol=0.3, lookback=48),
        ),
    ],
)
def test_portfolio_config_when_sizing_with_its_parameter_then_rule(kwargs: dict, rule: object) -> None:
    assert PortfolioConfig(**kwargs).sizing_rule() == rule


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"sizing": "fixed_fraction"}, "required when sizing is fixed_fraction"),
        ({"fraction": 0.5}, "only used when sizing is fixed_fraction"),
        ({"sizing": "fixed_fraction", "fraction": 0.0}, "greater than 0"),
        ({"sizing": "fixed_notional", "notional": -5.0}, "greater than 0"),
        (
            {"sizing": "vol_target", "target_vol": 0.4, "notional": 5.0},
            "only used when sizing is fixed_notional",
        ),
        ({"sizing": "kelly"}, "'all_in', 'fixed_fraction', 'fixed_notional' or 'vol_target'"),
    ],
)
def test_portfolio_config_when_sizing_parameters_inconsistent_then_validation_error(
    kwargs: dict, fragment: str
) -> None:
    with pytest.raises(ValidationError, match=fragment):
        PortfolioConfig(**kwargs)


def test_sizing_models_when_out_of_range_then_validation_error() -> None:
    with pytest.raises(ValidationError):
        FixedFraction(fraction=1.5)
    with pytest.raises(ValidationError):
        VolTarget(target_vol=0.4, lookback=1)


def test_execution_config_when_models_chosen_then_rates_and_simple_flag_follow() -> None:
    from peak.execution.config import ExecutionConfig, SymbolRules

    assert ExecutionConfig().fee_rates() == (0.001, 0.001) and ExecutionConfig().is_simple()
    mt = ExecutionConfig(fee_model="maker_taker", fee_rate=None, maker_fee=0.001, taker_fee=0.002)
    assert mt.fee_rates() == (0.001, 0.002) and not mt.is_simple()
    assert not ExecutionConfig(symbols={"BTC/USDT": SymbolRules(lot_size=0.001)}).is_simple()
    with pytest.raises(ValidationError, match="only used when fee_model is flat"):
        ExecutionConfig(fee_model="maker_taker", maker_fee=0.001, taker_fee=0.002)
