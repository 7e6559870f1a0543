"""Find runs left RUNNING by a process that died (SIGKILL, power loss, OOM) and close them as KILLED."""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass

from peak.tracking.store import open_client

RECOVERED_TAG = "peak.recovered"


@dataclass(frozen=True)
class StaleRun:
    """A RUNNING run judged dead, and why. ``started_ms`` is MLflow's start time (epoch ms)."""

    run_id: str
    experiment: str
    name: str
    started_ms: int
    reason: str


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _verdict(tags: dict[str, str], age_s: float, older_than_s: float | None) -> str | None:
    """Why a RUNNING run is stale, or None if it may still be working."""
    host, pid = tags.get("peak.host"), tags.get("peak.pid", "")
    if host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid)):
        return f"its process {pid} on {host} is gone"
    if older_than_s is not None and age_s > older_than_s:
        return f"running for {age_s / 3600:.1f} h, longer than --older-than"
    return None


def find_stale(uri: str, *, older_than_s: float | None = None) -> list[StaleRun]:
    """RUNNING runs in every experiment of ``uri`` whose process is gone (same host) or, with
    ``older_than_s``, that started longer ago than that.

    Example: ``find_stale(uri, older_than_s=6 * 3600)``.
    """
    client = open_client(uri)
    now_ms = time.time() * 1000
    stale = []
    for experiment in client.search_experiments():
        runs = client.search_runs(
            [experiment.experiment_id], filter_string="attributes.status = 'RUNNING'", max_results=50_000
        )
        for run in runs:
            age_s = (now_ms - (run.info.start_time or now_ms)) / 1000
            reason = _verdict(dict(run.data.tags), age_s, older_than_s)
            if reason is not None:
                stale.append(
                    StaleRun(
                        run.info.run_id,
                        experiment.name,
                        run.info.run_name or "",
                        run.info.start_time or 0,
                        reason,
                    )
                )
    return stale


def recover_stale(uri: str, stale: list[StaleRun]) -> None:
    """Close each stale run as KILLED and tag it with the reason (``peak.recovered``)."""
    client = open_client(uri)
    for run in stale:
        client.set_tag(run.run_id, RECOVERED_TAG, run.reason)
        client.set_terminated(run.run_id, "KILLED")
