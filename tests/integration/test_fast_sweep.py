"""``peak-run -m``: joblib on every core by default; Peak's launcher (``hydra/launcher=peak``) gives the
same runs as Hydra's joblib launcher, sweeps group choices, records failures and writes Hydra's per-job
files; Peak's sweeper stops a sweep whose combination does not compose before the first job."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hydra import compose, initialize_config_dir

from peak.app.launcher import worker_count
from peak.app.paths import project_root
from peak.core.errors import ConfigError
from peak.tracking.store import open_client
from peak.tracking.sweep import PARENT_TAG
from tests.support.cli import run_cli, store_uri


def _children(home: Path) -> dict[int, object]:
    """The sweep's child runs by job number (one sweep per home)."""
    client = open_client(store_uri(home))
    experiment = client.get_experiment_by_name("peak")
    runs = client.search_runs([experiment.experiment_id])
    [parent] = [r for r in runs if r.data.tags.get("peak.sweep_role") == "parent"]
    children = [r for r in runs if r.data.tags.get(PARENT_TAG) == parent.info.run_id]
    return {int(r.data.tags["peak.sweep_job"]): r for r in children}


def _job_dirs(home: Path) -> list[Path]:
    [sweep_dir] = (home / "experiments" / "multirun").glob("*/*")
    return sorted((d for d in sweep_dir.iterdir() if d.is_dir()), key=lambda d: int(d.name))


def _sweep(home: Path, *args: str) -> None:
    proc = run_cli("peak-run", ["-m", *args], home, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_default_launcher_when_sweeping_then_joblib_on_every_core_with_peak_sweeper() -> None:
    conf = project_root() / "conf"
    with initialize_config_dir(config_dir=str(conf), version_base="1.3", job_name="peak"):
        cfg = compose(config_name="config", return_hydra_config=True)
    assert cfg.hydra.launcher._target_.endswith("hydra_joblib_launcher.joblib_launcher.JoblibLauncher")
    assert cfg.hydra.launcher.n_jobs == -1
    assert cfg.hydra.sweeper._target_ == "hydra_plugins.peak.PeakSweeper"


def test_worker_count_when_n_jobs_negative_then_counts_back_from_all_cores() -> None:
    assert worker_count(1, 200) == 1
    assert worker_count(3, 2) == 2  # never more processes than jobs
    assert worker_count(-1, 10_000) >= worker_count(-2, 10_000) >= 1
    with pytest.raises(ConfigError, match="n_jobs"):
        worker_count(0, 4)


def test_peak_launcher_when_compared_with_joblib_then_same_child_params_and_metrics(
    tmp_path: Path, mlflow_template_db: Path
) -> None:
    homes = {}
    for name, launcher in [
        ("joblib", ["hydra/launcher=joblib", "hydra/sweeper=basic"]),
        ("peak", ["hydra/launcher=peak"]),
    ]:
        home = tmp_path / name
        (home / "mlruns").mkdir(parents=True)
        (home / "mlruns" / "mlflow.db").write_bytes(mlflow_template_db.read_bytes())
        _sweep(home, "strategy.fast=5,10", "strategy.slow=60,80", *launcher)
        homes[name] = _children(home)
    joblib_runs, peak_runs = homes["joblib"], homes["peak"]
    assert sorted(peak_runs) == sorted(joblib_runs) == [0, 1, 2, 3]
    for job, run in peak_runs.items():
        assert run.info.status == joblib_runs[job].info.status == "FINISHED"
        assert run.data.params == joblib_runs[job].data.params
        assert run.data.metrics == joblib_runs[job].data.metrics
        assert run.data.tags["peak.overrides"] == joblib_runs[job].data.tags["peak.overrides"]


def test_peak_launcher_when_group_choices_swept_then_each_job_gets_its_strategy_and_hydra_files(
    home: Path,
) -> None:
    _sweep(home, "strategy=ma_crossover,rsi_reversion", "data.start=2024-01-01", "hydra/launcher=peak")
    children = _children(home)
    assert {j: r.data.params["strategy.name"] for j, r in children.items()} == {
        0: "ma_crossover",
        1: "rsi_reversion",
    }
    for num, job_dir in enumerate(_job_dirs(home)):
        hydra_dir = job_dir / ".hydra"
        assert {p.name for p in hydra_dir.iterdir()} == {"config.yaml", "hydra.yaml", "overrides.yaml"}
        config = yaml.safe_load((hydra_dir / "config.yaml").read_text())
        overrides = yaml.safe_load((hydra_dir / "overrides.yaml").read_text())
        hydra = yaml.safe_load((hydra_dir / "hydra.yaml").read_text())["hydra"]
        assert config["strategy"]["name"] == children[num].data.params["strategy.name"]
        assert overrides == [f"strategy={config['strategy']['name']}", "data.start=2024-01-01"]
        assert hydra["job"]["num"] == num and hydra["mode"] == "MULTIRUN"
        assert hydra["runtime"]["choices"]["strategy"] == config["strategy"]["name"]
        assert hydra["runtime"]["output_dir"] == str(job_dir.resolve())
        assert hydra["job"]["id"] == f"backtest_{num}"
        assert hydra["job"]["override_dirname"] == ",".join(sorted(overrides))
        assert hydra["overrides"]["task"] == overrides
        assert (job_dir / "equity.parquet").is_file()
    # Each job logs to its own file (the file handler moves from job to job in a worker).
    logs = [(d / "backtest.log").read_text().splitlines() for d in _job_dirs(home)]
    assert all(lines and len(lines) == len(logs[0]) for lines in logs), logs


def test_peak_launcher_when_override_invalid_for_one_choice_then_that_job_fails_and_sweep_goes_on(
    home: Path,
) -> None:
    # Deleting a key is not checked before the sweep; rsi_reversion has no strategy.fast to delete.
    args = ["-m", "strategy=ma_crossover,rsi_reversion", "~strategy.fast", "data.start=2024-01-01"]
    proc = run_cli("peak-run", [*args, "hydra/launcher=peak"], home, timeout=600)
    assert proc.returncode == 1, proc.stderr[-3000:]
    children = _children(home)
    assert children[0].info.status == "FINISHED"
    assert children[1].info.status == "FAILED"
    assert "strategy=rsi_reversion" in children[1].data.tags["peak.error"]
    assert "job 1 (strategy=rsi_reversion ~strategy.fast" in proc.stderr
    assert "Could not delete from config. 'strategy.fast' does not exist" in proc.stderr
    assert "1 failed" in proc.stdout


def test_peak_sweeper_when_one_combination_does_not_compose_under_joblib_then_sweep_stops_before_any_job(
    home: Path,
) -> None:
    args = ["-m", "strategy=ma_crossover,rsi_reversion", "~strategy.fast", "data.start=2024-01-01"]
    proc = run_cli("peak-run", args, home, timeout=600)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "sweep job 1 (strategy=rsi_reversion ~strategy.fast" in proc.stderr
    assert "'strategy.fast' does not exist" in proc.stderr
    assert not (home / "experiments" / "multirun").exists() or not list(
        (home / "experiments" / "multirun").glob("*/*/0")
    )
    client = open_client(store_uri(home))
    runs = client.search_runs([client.get_experiment_by_name("peak").experiment_id])
    assert [r.data.tags.get("peak.sweep_role") for r in runs] == ["parent"]
    assert runs[0].info.status == "FAILED"
