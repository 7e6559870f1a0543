"""Config errors name the full key path, the bad value and what is allowed, before any work starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from peak.app.compose import compose_run_config
from peak.core.errors import ConfigError
from tests.support.cli import run_cli


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (["strategy.fsat=10"], ["strategy.fsat", "did you mean: strategy.fast", "fast, name, slow"]),
        (["strategy.fast=abc"], ["strategy.fast", "'abc'", "valid integer"]),
        (["strategy.fast=60", "strategy.slow=50"], ["strategy.slow = 50", "must be above fast (60)"]),
        (["execution.fee_rate=-0.001"], ["execution.fee_rate = -0.001", "greater than or equal to 0"]),
        (["data.gaps=loud"], ["data.gaps = 'loud'", "'warn', 'error' or 'ignore'"]),
        (["data.timeframe=1x"], ["data.timeframe = '1x'", "unit m, h, d or w"]),
        (["data=csv"], ["data.path: required value is missing"]),
        (["+strategy.extra=1"], ["strategy.extra: unknown key", "allowed keys: fast, name, slow"]),
        (["data=csv", "data.pth=/x.csv"], ["unknown config key 'data.pth' with data=csv", "data.path"]),
        (["strategy=nope"], ["Could not find 'strategy/nope'", "ma_crossover"]),
    ],
)
def test_compose_run_config_when_bad_override_then_message_names_key(
    overrides: list[str], expected: list[str]
) -> None:
    with pytest.raises(ConfigError) as info:
        compose_run_config(overrides)
    for fragment in expected:
        assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["strategy.fsat=10"], "unknown config key 'strategy.fsat'"),
        (["strategy.fast=abc"], "strategy.fast = 'abc'"),
        (["strategy.fast=50", "strategy.slow=50"], "strategy.slow = 50: must be above fast (50)"),
    ],
)
def test_peak_run_when_config_error_then_exit_2_without_traceback(
    tmp_path: Path, args: list[str], fragment: str
) -> None:
    proc = run_cli("peak-run", args, tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    # Nothing ran: no run folder left behind, no MLflow store.
    assert not (tmp_path / "mlruns").exists()
    assert not list((tmp_path / "experiments").glob("runs/*/*"))
