"""Every option of every config group composes through Hydra and validates into the typed model."""

from __future__ import annotations

from pathlib import Path

import pytest

from peak.app.compose import compose_run_config
from peak.app.config import RunConfig
from peak.app.paths import conf_dir

# Options that cannot validate without a value the user must supply.
_REQUIRED_EXTRAS = {
    ("data", "csv"): ["data.path=/tmp/x.csv"],
    ("data", "parquet"): ["data.path=/tmp/x.parquet"],
}
_GROUPS = ("data", "strategy", "portfolio", "risk", "execution", "env", "tracking", "task", "gate", "report")


def _options() -> list[tuple[str, str]]:
    found = []
    for group in _GROUPS:
        for path in sorted((conf_dir() / group).glob("*.yaml")):
            found.append((group, path.stem))
    return found


def test_config_tree_when_listed_then_every_group_has_options() -> None:
    groups = {group for group, _ in _options()}
    assert groups == set(_GROUPS)


@pytest.mark.parametrize(("group", "option"), _options(), ids=lambda v: str(v))
def test_compose_when_option_selected_then_validates(group: str, option: str) -> None:
    cfg = compose_run_config([f"{group}={option}", *_REQUIRED_EXTRAS.get((group, option), [])])
    assert isinstance(cfg, RunConfig)
    section = getattr(cfg, group)
    # The option file's own discriminator (name/source) or flags match what was selected.
    label = getattr(section, "name", None) or getattr(section, "source", None)
    if group == "tracking":
        assert section.enabled is (option == "mlflow")
    elif group == "report":
        assert section.enabled is False and section.formats == ("html", "pdf", "md")
    else:
        assert label == option


def test_compose_when_defaults_then_sample_ma_crossover_backtest() -> None:
    cfg = compose_run_config([])
    assert (cfg.data.source, cfg.data.symbol, cfg.data.timeframe) == ("sample", "BTC/USDT", "1h")
    assert (cfg.strategy.name, cfg.strategy.fast, cfg.strategy.slow) == ("ma_crossover", 20, 50)
    assert cfg.task.name == "backtest" and cfg.tracking.enabled
    assert cfg.gate.name == "go_no_go" and cfg.gate.criteria["sharpe"].min == 1.5
    assert cfg.gate.criteria["max_drawdown"].max == 0.15 and cfg.gate.criteria["trades"].min == 50


def test_compose_when_frozen_model_then_cannot_be_mutated() -> None:
    cfg = compose_run_config([])
    with pytest.raises(Exception, match="frozen"):
        cfg.strategy.fast = 3  # type: ignore[misc]


def test_conf_dir_when_resolved_then_is_the_project_conf() -> None:
    assert conf_dir() == Path(__file__).resolve().parents[2] / "conf"
