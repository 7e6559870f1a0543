"""``peak promote`` and ``peak registry list`` end to end on real runs: a backtest and a robustness study of
the same configuration on the bundled sample, logged by ``peak-run`` into a tmp sqlite store.

No configuration passes ``go_no_go`` on the sample, so the promotions that succeed here loosen the gate on
the command line, which the record keeps and which needs an approver.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peak.app.cli import app
from peak.tracking.store import open_client
from tests.support.cli import run_cli, store_uri

LOOSE = [
    "gate.criteria.sharpe.min=0",
    "gate.criteria.max_drawdown.max=1",
    "gate.criteria.profit_factor.min=1",
    "gate.criteria.oos_sharpe.min=-10",
    "gate.criteria.wf_efficiency.min=-100",
    "gate.criteria.mc_sharpe_p5.min=-10",
    "gate.criteria.mc_drawdown_p95.max=1",
    "gate.criteria.mc_ruin.max=1",
    "gate.criteria.stress_drawdown.max=1",
]
MODEL = "ma_crossover-BTCUSDT-1h"
runner = CliRunner()


@dataclass(frozen=True)
class Runs:
    home: Path
    uri: str
    backtest: str
    robustness: str


def _produce(home: Path, template: Path) -> dict[str, str]:
    """One sweep, two real runs of one configuration: task=backtest and task=robustness."""
    (home / "mlruns").mkdir(parents=True)
    shutil.copyfile(template, home / "mlruns" / "mlflow.db")
    proc = run_cli("peak-run", ["-m", "task=backtest,robustness"], home)
    assert proc.returncode == 0, proc.stderr
    by_task = {}
    for run_json in (home / "experiments" / "multirun").glob("*/*/*/run.json"):
        run_id = json.loads(run_json.read_text())["mlflow_run_id"]
        by_task[open_client(store_uri(home)).get_run(run_id).data.tags["peak.task"]] = run_id
    (home / "runs.json").write_text(json.dumps(by_task))
    return by_task


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, mlflow_template_db: Path) -> Runs:
    """The two runs, produced once per session even when xdist workers each run some of these tests (they
    share the folder above their base temp), then copied so that every worker promotes in its own store."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        home = tmp_path_factory.mktemp("promotion-home")
        ids = _produce(home, mlflow_template_db)
        return Runs(home, store_uri(home), ids["backtest"], ids["robustness"])
    shared = tmp_path_factory.getbasetemp().parent / "promotion-runs"
    with open(f"{shared}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "runs.json").is_file():
            shutil.rmtree(shared, ignore_errors=True)  # what a failed producer left
            _produce(shared, mlflow_template_db)
        ids = json.loads((shared / "runs.json").read_text())
    home = tmp_path_factory.mktemp("promotion-home")
    (home / "mlruns").mkdir()
    with (
        closing(sqlite3.connect(shared / "mlruns" / "mlflow.db")) as src,
        closing(sqlite3.connect(home / "mlruns" / "mlflow.db")) as dst,
    ):
        src.backup(dst)  # a consistent copy of a WAL database
    return Runs(home, store_uri(home), ids["backtest"], ids["robustness"])


def _promote(runs: Runs, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["promote", *args, "--uri", runs.uri])
    return result.exit_code, result.output


def test_peak_promote_when_gate_fails_then_exit_8_with_one_line_per_failed_criterion(runs: Runs) -> None:
    proc = run_cli("peak", ["promote", runs.robustness, "--to", "candidate", "--by", "alice"], runs.home)
    assert proc.returncode == 8, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith(
        f"peak promote: error: promotion of run {runs.robustness} to candidate refused"
    )
    sharpe = open_client(runs.uri).get_run(runs.robustness).data.metrics["sharpe"]
    assert f"  - gate go_no_go: criterion sharpe: required sharpe >= 1.5, actual {sharpe:.4g} (run " in (
        proc.stderr
    )
    assert len(lines) == 1 + int(lines[0].split("(")[-1].split()[0])  # a header, then one line per reason
    assert open_client(runs.uri).search_model_versions(f"run_id = '{runs.robustness}'") == []


def test_peak_promote_when_live_without_paper_record_then_refused(runs: Runs) -> None:
    code, output = _promote(
        runs, runs.robustness, "--to", "live", "--by", "alice", "--approved-by", "bob", *LOOSE
    )
    assert code == 8
    assert f"promotion to live needs an earlier paper record of this run in {MODEL}; none exists" in output


def test_peak_promote_when_backtest_then_robustness_run_is_found_and_stages_move_with_four_eyes(
    runs: Runs,
) -> None:
    code, output = _promote(
        runs, runs.backtest, "--to", "paper", "--by", "alice", "--approved-by", "bob", *LOOSE, "--json"
    )
    assert code == 0, output
    paper = json.loads(output)
    assert paper["promoted"] and paper["evidence_run_ids"] == [runs.backtest, runs.robustness]
    sources = {c["name"]: c["source_run_id"] for c in paper["criteria"]}
    assert sources["sharpe"] == runs.backtest and sources["mc_sharpe_p5"] == runs.robustness
    assert paper["gate_overrides"] == LOOSE

    code, output = _promote(
        runs, runs.backtest, "--to", "live", "--by", "alice", "--approved-by", "ALICE", *LOOSE
    )
    assert code == 8 and "four-eyes: the approver (ALICE) must be a different person" in output
    code, output = _promote(
        runs, runs.backtest, "--to", "live", "--by", "alice", "--approved-by", "bob", *LOOSE
    )
    assert code == 0, output
    assert f"promoted run {runs.backtest} to live: {MODEL} version {paper['version']}" in output
    client = open_client(runs.uri)
    assert client.get_model_version_by_alias(MODEL, "live").run_id == runs.backtest

    listed = runner.invoke(app, ["registry", "list", "--uri", runs.uri, "--json"])
    assert listed.exit_code == 0, listed.output
    view = json.loads(listed.output)
    assert [(s["stage"], s["record"]["run_id"]) for s in view["stages"]] == [
        ("paper", runs.backtest),
        ("live", runs.backtest),
    ]
    assert [r["stage"] for r in view["records"]] == ["paper", "live"] and view["records"][0] == {
        k: v for k, v in paper.items() if k != "promoted"
    }
    table = runner.invoke(app, ["registry", "list", "--uri", runs.uri]).output
    assert f"{MODEL}  live" in table and "paper -> live" in table and "go_no_go 10/10 (9 overrides" in table
