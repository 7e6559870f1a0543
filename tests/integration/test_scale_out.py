"""``peak-run -m hydra/launcher=submitit_local``: the submitit launcher runs jobs and MLflow sees them."""

from __future__ import annotations

from pathlib import Path

# The dev extra pins the plugin: a missing import must fail the run in CI, not skip the test.
import hydra_plugins.hydra_submitit_launcher  # noqa: F401
import submitit  # noqa: F401

from peak.tracking.store import open_client
from peak.tracking.sweep import PARENT_TAG
from tests.support.cli import run_cli, store_uri


def test_submitit_local_when_two_jobs_then_parent_and_two_finished_children(home: Path) -> None:
    args = [
        "-m",
        "hydra/launcher=submitit_local",
        "hydra.launcher.timeout_min=5",
        "hydra.launcher.cpus_per_task=1",
        "strategy.fast=5,10",
        "strategy.slow=60",
    ]
    proc = run_cli("peak-run", args, home, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    client = open_client(store_uri(home))
    experiment = client.get_experiment_by_name("peak")
    runs = client.search_runs([experiment.experiment_id])
    [parent] = [r for r in runs if r.data.tags.get("peak.sweep_role") == "parent"]
    children = [r for r in runs if r.data.tags.get(PARENT_TAG) == parent.info.run_id]
    assert parent.info.status == "FINISHED" and len(children) == 2
    assert {c.data.params["strategy.fast"] for c in children} == {"5", "10"}
    assert all(c.info.status == "FINISHED" for c in children)
