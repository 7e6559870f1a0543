"""``peak rerun``: runs made by ``peak-run`` (a sweep's jobs and a single run on a CSV copy) rerun from their
logged config, every metric compared bit for bit, the original tagged with the verdict.

Each test makes its originals with one ``peak-run`` subprocess; the reruns run in this process (the CLI
through typer's runner), since a ``peak`` subprocess would import MLflow and numba again (~6 s each)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peak.app.cli import app
from peak.tracking.store import open_client
from tests.support.cli import run_cli, store_uri


def _job(home: Path, task: str) -> str:
    client = open_client(store_uri(home))
    [run] = client.search_runs(
        [client.get_experiment_by_name("peak").experiment_id],
        filter_string=f"tags.`peak.task` = '{task}' and tags.`peak.sweep_role` = 'child'",
    )
    return str(run.info.run_id)


def _in_process(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point this process at ``home`` as the peak CLI subprocesses see it (tests.support.cli)."""
    monkeypatch.setenv("PEAK_HOME", str(home))
    monkeypatch.setenv("PEAK_CACHE_DIR", str(home / "cache"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


def test_peak_rerun_when_sweep_jobs_rerun_then_backtest_and_stress_metrics_match_exactly(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One sweep, two jobs on three months of the bundled sample: a backtest and a stress study.
    proc = run_cli("peak-run", ["-m", "task=backtest,stress", "data.end=2023-04-01"], home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run_id = _job(home, "backtest")
    _in_process(home, monkeypatch)
    result = CliRunner().invoke(app, ["rerun", run_id, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["reproducible"] is True and report["mismatches"] == []
    assert report["compared"] == 11 and report["per_source"] == {"mlflow": 11, "metrics.json": 11}
    assert report["summary"] == "all 11 metrics match exactly"
    data = next(c for c in report["lineage"] if c["tag"] == "peak.data_fingerprint")
    assert data["matches"] and len(data["rerun"]) == 64

    client = open_client(store_uri(home))
    original, rerun = client.get_run(run_id), client.get_run(report["rerun_id"])
    assert original.data.tags["peak.reproducible"] == "true"
    assert original.data.tags["peak.reproduced_by"] == report["rerun_id"]
    assert rerun.data.tags["peak.rerun_of"] == run_id and "mlflow.parentRunId" not in rerun.data.tags
    # The rerun logged through run_backtest_task: its stored metrics are the original's, bit for bit.
    assert rerun.data.metrics == original.data.metrics
    assert (Path(report["rerun_dir"]) / ".hydra" / "config.yaml").is_file()
    assert "rerun.json" in {a.path for a in client.list_artifacts(report["rerun_id"])}

    from peak.app.rerun import rerun_run

    stress_id = _job(home, "stress")
    study = rerun_run(stress_id, track=False)
    assert study.reproducible and study.rerun_id is None, study.mismatches
    stored = client.get_run(stress_id).data
    assert study.per_source["mlflow"] == len(stored.metrics) > 30
    assert any(name.startswith("stress.") for name in stored.metrics)
    assert client.get_run(stress_id).data.tags["peak.reproduced_by"].startswith("untracked rerun at ")


def _csv_copy(market_dir: Path, target: Path, rows: int) -> Path:
    with gzip.open(market_dir / "BTCUSDT_1h.csv.gz", "rt") as source:
        lines = [next(source) for _ in range(rows + 1)]
    target.write_text("".join(lines))
    return target


def _shift_prices(path: Path, first: int, last: int, factor: float) -> None:
    """Scale open/high/low/close of data rows ``first..last`` (OHLC stays consistent)."""
    lines = path.read_text().splitlines()
    for i in range(first + 1, last + 2):
        date, *prices, volume = lines[i].split(",")
        lines[i] = ",".join([date, *(repr(float(p) * factor) for p in prices), volume])
    path.write_text("\n".join(lines) + "\n")


def test_peak_rerun_when_data_file_changed_then_fingerprint_mismatch_and_exit_1(
    home: Path, market_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _csv_copy(market_dir, tmp_path / "btc.csv", rows=3000)
    args = ["data=csv", f"data.path={data}", "strategy.fast=10", "strategy.slow=30"]
    proc = run_cli("peak-run", args, home)
    assert proc.returncode == 0, proc.stderr[-3000:]
    run_json = next((home / "experiments" / "runs").glob("*/*/run.json"))
    run_id = json.loads(run_json.read_text())["mlflow_run_id"]
    before = open_client(store_uri(home)).get_run(run_id).data.tags["peak.data_fingerprint"]

    _shift_prices(data, 1500, 1700, 1.05)
    _in_process(home, monkeypatch)
    result = CliRunner().invoke(app, ["rerun", run_id])
    assert result.exit_code == 1, result.output
    assert "warning: data fingerprint mismatch" in result.output
    assert before in result.output and str(data) in result.output
    assert "data fingerprint  DIFFERS" in result.output
    assert "mismatches:" in result.output and "reproducible: NO" in result.output
    tags = open_client(store_uri(home)).get_run(run_id).data.tags
    assert tags["peak.reproducible"] == "false"
    assert "data fingerprint differs" in tags["peak.reproduce_summary"]
