"""``portfolio=weighted`` and the recipes: composition, validation messages and the generated doc table."""

from __future__ import annotations

from pathlib import Path

import pytest

from peak.app.compose import compose_run_config
from peak.app.recipes import TABLE_BEGIN, TABLE_END, list_recipes, recipe_table
from peak.backtest.portfolio_config import WeightedPortfolioConfig
from peak.core.errors import ConfigError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "recipes.md"


@pytest.mark.parametrize("recipe", [r.name for r in list_recipes()])
def test_recipe_when_composed_then_weighted_with_profile_and_weights_summing_to_one(recipe: str) -> None:
    cfg = compose_run_config([f"experiment={recipe}"])
    assert isinstance(cfg.portfolio, WeightedPortfolioConfig)
    assert sum(s.weight for s in cfg.portfolio.sleeves.values()) == pytest.approx(1.0)
    assert all(s.strategy is not None and s.symbol for s in cfg.portfolio.sleeves.values())


def test_recipes_when_listed_then_the_issue_presets_exist_with_profiles() -> None:
    profiles = {r.name: r.profile for r in list_recipes()}
    assert profiles["multi_style_moderate"] == "MODERATE"
    assert {profiles["conservative"], profiles["moderate"], profiles["aggressive"]} == {
        "CONSERVATIVE",
        "MODERATE",
        "AGGRESSIVE",
    }


def test_multi_style_moderate_when_composed_then_matches_the_reference_portfolio() -> None:
    port = compose_run_config(["experiment=multi_style_moderate"]).portfolio
    assert isinstance(port, WeightedPortfolioConfig)
    got = {n: (s.symbol, s.strategy.name, s.weight) for n, s in port.sleeves.items() if s.strategy}
    assert got == {
        "btc_rsi": ("BTC/USDT", "rsi_reversion", 0.25),
        "eth_rsi": ("ETH/USDT", "rsi_reversion", 0.25),
        "btc_trend": ("BTC/USDT", "ma_crossover", 0.25),
        "eth_trend": ("ETH/USDT", "trend_following", 0.25),
    }
    assert (port.sleeves["btc_trend"].strategy.fast, port.sleeves["btc_trend"].strategy.slow) == (20, 60)  # type: ignore[union-attr]


def test_recipe_docs_when_generated_then_match_the_committed_table() -> None:
    text = DOCS.read_text()
    committed = text[text.index(TABLE_BEGIN) + len(TABLE_BEGIN) : text.index(TABLE_END)].strip()
    assert committed == recipe_table(), "run `peak recipes --write docs/recipes.md`"


def test_recipe_when_header_missing_profile_then_config_error(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("# @package _global_\n# bad: no profile here\nportfolio: {}\n")
    with pytest.raises(ConfigError, match="Risk profile"):
        list_recipes(tmp_path)


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        (
            ["experiment=multi_style_moderate", "portfolio.sleeves.btc_rsi.weight=0.5"],
            ["portfolio.sleeves", "sum to 1.0", "btc_rsi=0.5"],
        ),
        (["portfolio=weighted", "portfolio.rebalance=periodic"], ["portfolio.rebalance_every", "required"]),
        (["portfolio=weighted", "portfolio.rebalance_every=1d"], ["only used when rebalance is periodic"]),
        (
            ["portfolio=weighted", "portfolio.missing_bars=ffill"],
            ["portfolio.missing_bars", "'hold' or 'drop'"],
        ),
        (
            ["portfolio=weighted", "portfolio.sleeves.btc.strategy={name: rsi_reversion, entry: 60}"],
            ["portfolio.sleeves.btc.strategy", "exit"],
        ),
        (
            ["execution.fee_model=maker_taker"],
            ["execution.maker_fee", "required when fee_model is maker_taker"],
        ),
        (["execution.range_share=0.1"], ["execution.range_share", "only used when slippage_model is range"]),
        (["+execution.symbols={btc: {lot_size: 0.1}}"], ["execution.symbols", "BTC/USDT"]),
    ],
)
def test_portfolio_config_when_invalid_then_error_names_key(
    overrides: list[str], fragments: list[str]
) -> None:
    with pytest.raises(ConfigError) as info:
        compose_run_config(overrides)
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)
