"""End to end: portfolios and recipes through ``peak-run`` on real data, into a temporary MLflow store."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from peak.app.recipes import list_recipes
from peak.tracking.store import open_client
from tests.support.cli import run_cli, store_uri


def test_peak_run_when_multi_style_moderate_then_one_mlflow_run_with_sleeves(home: Path) -> None:
    proc = run_cli("peak-run", ["experiment=multi_style_moderate"], home)
    assert proc.returncode == 0, proc.stderr
    [run_json_path] = (home / "experiments" / "runs").glob("*/*/run.json")
    run_dir = run_json_path.parent
    run_json = json.loads(run_json_path.read_text())
    client = open_client(store_uri(home))
    runs = client.search_runs([client.get_experiment_by_name("peak").experiment_id])
    assert len(runs) == 1 and runs[0].info.run_id == run_json["mlflow_run_id"]
    run = runs[0]
    assert run.data.tags["peak.portfolio"] == "weighted"
    assert run.data.tags["peak.symbol"] == "BTC/USDT,ETH/USDT"
    sleeves = json.loads((run_dir / "sleeves.json").read_text())
    assert sleeves["correlation"]["sleeves"] == ["btc_rsi", "eth_rsi", "btc_trend", "eth_trend"]
    for name, sleeve in sleeves["sleeves"].items():
        assert run.data.metrics[f"sleeve.{name}.sharpe"] == pytest.approx(sleeve["metrics"]["sharpe"])
        assert sleeve["metrics"]["n_trades"] > 0, name  # every sleeve enters and exits on real data
    assert run.data.params["portfolio.sleeves.eth_trend.strategy.name"] == "trend_following"
    assert -1.0 < run.data.metrics["corr_mean"] < 1.0
    equity = pd.read_parquet(run_dir / "equity.parquet")
    total = sum(equity[f"equity.{n}"] for n in sleeves["sleeves"])
    assert (total - equity["equity"]).abs().max() <= 1e-9 * equity["equity"].abs().max()
    trades = pd.read_csv(run_dir / "trades.csv")
    assert set(trades["sleeve"]) == set(sleeves["sleeves"]) and len(trades) == run.data.metrics["n_trades"]
    assert "sleeve btc_rsi (rsi_reversion on BTC/USDT, weight 0.25)" in proc.stdout
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"sleeves.json", "equity.parquet", "trades.csv"} <= artifacts


def test_peak_run_when_every_recipe_globbed_then_each_job_runs(home: Path) -> None:
    proc = run_cli("peak-run", ["-m", "experiment=glob(*)", "tracking=off"], home, timeout=600)
    assert proc.returncode == 0, proc.stderr
    jobs = sorted((home / "experiments" / "multirun").glob("*/*/*/sleeves.json"))
    assert len(jobs) == len(list_recipes()) >= 4
    for job in jobs:
        metrics = json.loads((job.parent / "metrics.json").read_text())
        assert metrics["n_trades"] > 0, job


def test_peak_run_when_realistic_execution_then_single_run_uses_portfolio_kernel(home: Path) -> None:
    proc = run_cli("peak-run", ["execution=realistic", "tracking=off"], home)
    assert proc.returncode == 0, proc.stderr
    simple = run_cli("peak-run", ["tracking=off"], home)
    assert simple.returncode == 0, simple.stderr
    finals = [
        json.loads(p.read_text())["final_equity"]
        for p in sorted((home / "experiments" / "runs").glob("*/*/metrics.json"))
    ]
    assert len(finals) == 2 and finals[0] < finals[1]  # 0.4 % taker fees and range slippage cost money


def test_peak_run_when_portfolio_on_shared_csv_without_placeholder_then_config_error(
    home: Path, market_dir: Path
) -> None:
    csv = market_dir / "BTCUSDT_1h.csv.gz"
    proc = run_cli("peak-run", ["experiment=multi_style_moderate", "data=csv", f"data.path={csv}"], home)
    assert proc.returncode == 2, proc.stderr
    assert "{pair}" in proc.stderr and "Traceback" not in proc.stderr


def test_peak_run_when_portfolio_on_shared_csv_with_placeholder_then_full_history(
    home: Path, market_dir: Path
) -> None:
    path = str(market_dir / "{pair}_1h.csv.gz")  # quoted: Hydra reads an unquoted {...} as a dict
    proc = run_cli(
        "peak-run",
        ["experiment=multi_style_moderate", "data=csv", f"data.path='{path}'", "tracking=off"],
        home,
    )
    assert proc.returncode == 0, proc.stderr
    [run_json] = (home / "experiments" / "runs").glob("*/*/run.json")
    assert json.loads(run_json.read_text())["n_bars"] >= 37_000
