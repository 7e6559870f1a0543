"""``peak-run task=grid|walk_forward``: one MLflow run each, with the study's files and metrics, on the
bundled real sample."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from peak.tracking.store import open_client
from tests.support.cli import run_cli, store_uri


def _run(home: Path, task: str) -> tuple[Path, object]:
    [run_json] = (home / "experiments" / "runs").glob(f"*/*_{task}/run.json")
    run_id = json.loads(run_json.read_text())["mlflow_run_id"]
    return run_json.parent, open_client(store_uri(home)).get_run(run_id)


def test_peak_run_when_grid_then_one_run_with_table_top_metrics_heatmap_and_winner(home: Path) -> None:
    grid = 'task.grid={fast: "range(5,30,5)", slow: [20, 60, 120]}'
    proc = run_cli("peak-run", ["task=grid", grid, "task.top_k=3"], home)
    assert proc.returncode == 0, proc.stderr
    folder, run = _run(home, "grid")
    with (folder / "results.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 13  # 15 cells; fast=20 and fast=25 with slow=20 rejected
    best = max(rows, key=lambda r: float(r["sharpe"]))
    assert (
        run.data.params["strategy.fast"] == best["fast"] and run.data.params["strategy.slow"] == best["slow"]
    )
    assert run.data.metrics["grid.top1.sharpe"] == float(best["sharpe"])
    assert run.data.metrics["sharpe"] == pytest.approx(
        float(best["sharpe"]), rel=1e-9
    )  # the winner's backtest
    assert {"grid.top3.sharpe", "grid.pbo", "grid.deflated_sharpe", "grid.cells_per_second"} <= set(
        run.data.metrics
    )
    assert run.data.metrics["grid.skipped"] == 2
    assert run.data.tags["peak.grid_best"] == f"fast={best['fast']} slow={best['slow']}"
    artifacts = {a.path for a in open_client(store_uri(home)).list_artifacts(run.info.run_id)}
    assert {"results.csv", "top.csv", "grid.json", "heatmap.png", "equity.parquet"} <= artifacts
    assert (folder / "heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "grid: 13 cells (2 skipped)" in proc.stdout


def test_peak_run_when_grid_key_misspelt_then_config_error_names_it(home: Path) -> None:
    proc = run_cli("peak-run", ["task=grid", "task.grid={fsat: [5, 10]}"], home)
    assert proc.returncode == 2, proc.stderr
    assert "task.grid.fsat" in proc.stderr and "did you mean fast" in proc.stderr
    proc = run_cli("peak-run", ["task=grid", "experiment=multi_style_moderate"], home)
    assert proc.returncode == 2 and "peak-run -m" in proc.stderr, proc.stderr


def test_peak_run_when_walk_forward_then_folds_stitched_oos_and_stability_logged(home: Path) -> None:
    args = [
        "task=walk_forward",
        "task.folds=4",
        "task.scheme=anchored",
        "task.grid={fast: [10, 20], slow: [50, 100]}",
    ]
    proc = run_cli("peak-run", args, home)
    assert proc.returncode == 0, proc.stderr
    folder, run = _run(home, "walk_forward")
    report = json.loads((folder / "walk_forward.json").read_text())
    assert report["mode"] == "optimise" and report["scheme"] == "anchored" and len(report["folds"]) == 4
    starts = {f["in_sample_start"] for f in report["folds"]}
    assert len(starts) == 1  # anchored: every fold's in-sample window starts at the first bar
    m = run.data.metrics
    assert m["wf.folds"] == 4 and "wf.oos.sharpe" in m and "wf.param.fast.mode_share" in m
    assert m["wf.fold3.oos.sharpe"] == report["folds"][3]["out_of_sample_metrics"]["sharpe"]
    assert run.data.tags["peak.wf_mode"] == "optimise"
    assert (folder / "walk_forward_oos.parquet").is_file()
    assert "walk-forward (anchored, 4 folds, optimise)" in proc.stdout


def test_peak_run_when_walk_forward_on_portfolio_then_fixed_windows(home: Path) -> None:
    proc = run_cli("peak-run", ["task=walk_forward", "experiment=multi_style_moderate", "tracking=off"], home)
    assert proc.returncode == 0, proc.stderr
    assert "walk-forward (rolling, 5 folds, fixed)" in proc.stdout
    proc = run_cli(
        "peak-run",
        ["task=walk_forward", "experiment=multi_style_moderate", "task.fixed=false", "tracking=off"],
        home,
    )
    assert proc.returncode == 2 and "task.fixed=false" in proc.stderr, proc.stderr


def test_peak_run_when_walk_forward_then_progress_bars_only_when_asked(home: Path) -> None:
    args = [
        "task=walk_forward",
        "task.folds=3",
        "task.grid={fast: [10, 20], slow: [50, 100]}",
        "tracking=off",
    ]
    quiet = run_cli("peak-run", args, home)  # not a TTY: no bar in logs
    assert quiet.returncode == 0 and "cell/s" not in quiet.stderr and "fold/s" not in quiet.stderr, (
        quiet.stderr
    )
    shown = run_cli("peak-run", args, home, PEAK_PROGRESS="1")
    assert shown.returncode == 0, shown.stderr
    assert "walk-forward" in shown.stderr and "fold 1 in-sample" in shown.stderr, shown.stderr
