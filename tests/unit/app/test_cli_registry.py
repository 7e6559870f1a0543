"""``peak promote`` and ``peak registry list``: option and override errors before any store is touched."""

from __future__ import annotations

from typer.testing import CliRunner

from peak.app.cli import app

runner = CliRunner()


def test_peak_promote_when_stage_unknown_then_exit_2_naming_the_stages() -> None:
    result = runner.invoke(app, ["promote", "abc", "--to", "prod", "--by", "alice"])
    assert result.exit_code == 2
    assert (
        "peak promote: error: --to 'prod' is not a stage; choose one of candidate, paper, live"
        in result.output
    )


def test_peak_promote_when_override_is_not_about_the_gate_then_exit_2_naming_it() -> None:
    result = runner.invoke(app, ["promote", "abc", "--to", "paper", "--by", "alice", "strategy.fast=5"])
    assert (
        result.exit_code == 2
        and "gate overrides only" in result.output
        and "strategy.fast=5" in result.output
    )


def test_peak_promote_when_gate_key_misspelt_then_exit_2_with_nearest_key() -> None:
    args = ["promote", "abc", "--to", "paper", "--by", "alice", "gate.criteria.sharpe.mn=1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "gate.criteria.sharpe.min" in result.output


def test_peak_registry_list_when_store_is_empty_then_says_so(mlflow_uri: str) -> None:
    result = runner.invoke(app, ["registry", "list", "--uri", mlflow_uri])
    assert result.exit_code == 0 and result.output.strip() == "no promotions yet"
    result = runner.invoke(app, ["registry", "list", "--uri", mlflow_uri, "--json"])
    assert result.exit_code == 0 and result.output.strip().startswith('{\n  "stages": []')
