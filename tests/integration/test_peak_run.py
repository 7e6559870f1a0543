"""End to end: ``peak-run`` in a subprocess on real data into a temporary MLflow sqlite store."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from peak.metrics import METRIC_NAMES
from peak.tracking.store import open_client
from tests.support.cli import run_cli, store_uri


def _run_dir(home: Path) -> Path:
    dirs = [p.parent for p in (home / "experiments" / "runs").glob("*/*/run.json")]
    assert len(dirs) == 1, dirs
    return dirs[0]


def test_peak_run_when_defaults_then_finished_mlflow_run_with_metrics_and_artifacts(home: Path) -> None:
    proc = run_cli("peak-run", [], home)
    assert proc.returncode == 0, proc.stderr
    run_dir = _run_dir(home)
    run_json = json.loads((run_dir / "run.json").read_text())
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert set(metrics) == set(METRIC_NAMES)
    client = open_client(store_uri(home))
    run = client.get_run(run_json["mlflow_run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.params["strategy.fast"] == "20" and run.data.params["data.symbol"] == "BTC/USDT"
    for name, value in metrics.items():
        if isinstance(value, float | int):
            assert run.data.metrics[name] == pytest.approx(value, rel=1e-12)
    tags = run.data.tags
    assert tags["peak.data_fingerprint"] == run_json["data_fingerprint"]
    assert tags["peak.config_hash"] == run_json["config_hash"] and len(run_json["config_hash"]) == 64
    assert tags["peak.git_sha"] == run_json["git_sha"]
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"metrics.json", "trades.csv", "equity.parquet", "run.json", ".hydra"} <= artifacts
    config_artifacts = {a.path for a in client.list_artifacts(run.info.run_id, ".hydra")}
    assert ".hydra/config.yaml" in config_artifacts
    trades = pd.read_csv(run_dir / "trades.csv")
    assert len(trades) == metrics["n_trades"] > 0
    assert run_json["mlflow_run_id"] in proc.stdout and "sharpe=" in proc.stdout


def test_peak_run_when_issue_command_on_shared_csv_then_logged(home: Path, market_dir: Path) -> None:
    csv = market_dir / "BTCUSDT_1h.csv.gz"
    args = [
        "data=csv", f"data.path={csv}", "data.symbol=BTC/USDT", "data.timeframe=1h",
        "strategy=ma_crossover", "strategy.fast=20", "strategy.slow=50",
        "execution.fee_rate=0.001", "execution.slippage_bps=5", "portfolio.initial_cash=10000",
    ]  # fmt: skip
    proc = run_cli("peak-run", args, home)
    assert proc.returncode == 0, proc.stderr
    run_json = json.loads((_run_dir(home) / "run.json").read_text())
    assert run_json["n_bars"] == 37_660
    run = open_client(store_uri(home)).get_run(run_json["mlflow_run_id"])
    assert run.data.params["execution.slippage_bps"] == "5.0"
    assert run.data.params["portfolio.initial_cash"] == "10000.0"
    assert run.data.tags["peak.overrides"].startswith("data=csv")


def test_peak_run_when_hydra_run_dir_given_then_outputs_there(home: Path) -> None:
    target = home / "my-run"
    proc = run_cli("peak-run", [f"hydra.run.dir={target}", "tracking=off"], home)
    assert proc.returncode == 0, proc.stderr
    for name in ("metrics.json", "trades.csv", "equity.parquet", "run.json"):
        assert (target / name).is_file(), name
    assert json.loads((target / "run.json").read_text())["mlflow_run_id"] is None


def test_peak_run_when_new_store_then_created_under_peak_home(tmp_path: Path) -> None:
    proc = run_cli("peak-run", ["tracking.experiment=fresh"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    client = open_client(store_uri(tmp_path))
    experiment = client.get_experiment_by_name("fresh")
    assert experiment.artifact_location == (tmp_path / "mlruns" / "artifacts" / "fresh").resolve().as_uri()
    runs = client.search_runs([experiment.experiment_id])
    assert [r.info.status for r in runs] == ["FINISHED"]


def test_peak_run_when_data_file_missing_then_exit_3_with_path(home: Path) -> None:
    proc = run_cli("peak-run", ["data=csv", "data.path=/nonexistent/x.csv"], home)
    assert proc.returncode == 3, proc.stderr
    assert "/nonexistent/x.csv" in proc.stderr and "Traceback" not in proc.stderr
