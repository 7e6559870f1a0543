"""The ``risk`` and ``portfolio`` keys of the backtest compose, validate and fail naming the key."""

from __future__ import annotations

import pytest

from peak.app.compose import compose_run_config
from peak.core.errors import ConfigError
from peak.portfolio.config import PortfolioConfig
from peak.portfolio.sizing import AllIn, FixedFraction, FixedNotional, VolTarget


def test_compose_run_config_when_defaults_then_no_rules_and_all_in() -> None:
    cfg = compose_run_config([])
    assert (cfg.risk.stop_loss, cfg.risk.take_profit, cfg.risk.trailing_stop) == (None, None, None)
    assert cfg.portfolio.allow_short is False
    assert cfg.portfolio.sizing_rule() == AllIn()


def test_compose_run_config_when_stop_and_target_set_then_validated_values() -> None:
    cfg = compose_run_config(["risk.stop_loss=0.03", "risk.take_profit=0.06", "risk.trailing_stop=0.05"])
    assert (cfg.risk.stop_loss, cfg.risk.take_profit, cfg.risk.trailing_stop) == (0.03, 0.06, 0.05)


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        (["portfolio.sizing=fixed_fraction", "portfolio.fraction=0.5"], FixedFraction(fraction=0.5)),
        (["portfolio.sizing=fixed_notional", "portfolio.notional=2500"], FixedNotional(notional=2500.0)),
        (
            ["portfolio.sizing=vol_target", "portfolio.target_vol=0.4"],
            VolTarget(target_vol=0.4, lookback=168),
        ),
        (
            ["portfolio.sizing=vol_target", "portfolio.target_vol=0.4", "portfolio.vol_lookback=24"],
            VolTarget(target_vol=0.4, lookback=24),
        ),
    ],
)
def test_compose_run_config_when_sizing_selected_then_rule_built(overrides: list[str], rule: object) -> None:
    assert compose_run_config(overrides).portfolio.sizing_rule() == rule


def test_compose_run_config_when_allow_short_true_then_enabled() -> None:
    assert compose_run_config(["portfolio.allow_short=true"]).portfolio.allow_short is True


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["risk.stop_loss=-1"], ["risk.stop_loss = -1", "greater than 0"]),
        (["risk.stop_loss=1.5"], ["risk.stop_loss = 1.5", "less than 1"]),
        (["risk.take_profit=0"], ["risk.take_profit = 0", "greater than 0"]),
        (["risk.trailing_stop=abc"], ["risk.trailing_stop = 'abc'"]),
        (["risk.stop_los=0.03"], ["risk.stop_los", "did you mean: risk.stop_loss"]),
        (["portfolio.sizing=fixed_fration"], ["portfolio.sizing = 'fixed_fration'", "'fixed_fraction'"]),
        (["portfolio.sizng=all_in"], ["portfolio.sizng", "did you mean: portfolio.sizing"]),
        (
            ["portfolio.sizing=fixed_fraction"],
            ["portfolio.fraction = None", "required when sizing is fixed_fraction"],
        ),
        (["portfolio.sizing=fixed_fraction", "portfolio.fraction=1.5"], ["portfolio.fraction = 1.5"]),
        (["portfolio.notional=100"], ["portfolio.notional = 100", "only used when sizing is fixed_notional"]),
        (
            ["portfolio.sizing=vol_target"],
            ["portfolio.target_vol = None", "required when sizing is vol_target"],
        ),
        (["portfolio.vol_lookback=1"], ["portfolio.vol_lookback = 1", "greater than or equal to 2"]),
        (["portfolio.allow_short=maybe"], ["portfolio.allow_short = 'maybe'"]),
    ],
)
def test_compose_run_config_when_bad_risk_or_sizing_key_then_message_names_key(
    overrides: list[str], expected: list[str]
) -> None:
    with pytest.raises(ConfigError) as info:
        compose_run_config(overrides)
    for fragment in expected:
        assert fragment in str(info.value), str(info.value)


def test_portfolio_config_when_sizing_all_in_then_rule_is_all_in() -> None:
    assert PortfolioConfig().sizing_rule() == AllIn()
