"""The ``peak`` operator CLI: honest about what is not built yet, real where it is."""

from __future__ import annotations

import yaml
from typer.testing import CliRunner

import peak
from peak.app.cli import PLANNED, app

runner = CliRunner()


def test_peak_help_when_shown_then_planned_commands_marked_not_yet() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in PLANNED:
        assert name in result.output
    assert "(not yet)" in result.output


def test_peak_planned_command_when_run_then_exit_2_and_says_not_yet() -> None:
    result = runner.invoke(app, ["ops", "health", "--json"])
    assert result.exit_code == 2
    assert "not yet available" in result.output


def test_peak_version_when_run_then_prints_package_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0 and result.output.strip() == peak.__version__


def test_peak_config_check_when_valid_overrides_then_prints_validated_yaml() -> None:
    result = runner.invoke(app, ["config", "check", "strategy.fast=7", "data.symbol=ETH/USDT"])
    assert result.exit_code == 0, result.output
    shown = yaml.safe_load(result.output)
    assert shown["strategy"]["fast"] == 7 and shown["data"]["symbol"] == "ETH/USDT"


def test_peak_config_check_when_misspelt_key_then_exit_2_naming_it() -> None:
    result = runner.invoke(app, ["config", "check", "strategy.fsat=7"])
    assert result.exit_code == 2
    assert "strategy.fsat" in result.output and "strategy.fast" in result.output
