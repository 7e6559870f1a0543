"""What ``peak mlflow resume`` relaunches: a stopped sweep's exact overrides and folder, under its parent."""

from __future__ import annotations

import json
from dataclasses import dataclass

from peak.core.errors import TrackingError
from peak.tracking.store import open_client
from peak.tracking.sweep import OVERRIDES_JSON_TAG


@dataclass(frozen=True)
class SweepToResume:
    """The parent run id, the sweep's command-line overrides and its output folder."""

    parent_id: str
    overrides: tuple[str, ...]
    sweep_dir: str
    status: str


def sweep_to_resume(uri: str, run_id: str) -> SweepToResume:
    """Read a sweep parent's recorded definition; refuse a parent that is still RUNNING (its process may be
    alive: ``peak mlflow recover`` closes it first when it is not) or that is not a sweep parent."""
    client = open_client(uri)
    try:
        run = client.get_run(run_id)
    except Exception as exc:
        raise TrackingError(f"no run {run_id} in the store at {uri}: {exc}") from exc
    tags = run.data.tags
    if tags.get("peak.sweep_role") != "parent" or OVERRIDES_JSON_TAG not in tags:
        raise TrackingError(f"run {run_id} is not a resumable sweep parent (no {OVERRIDES_JSON_TAG} tag)")
    if run.info.status == "RUNNING":
        raise TrackingError(
            f"sweep {run_id} is still RUNNING (pid {tags.get('peak.pid')} on {tags.get('peak.host')}); "
            "if that process is gone, run `peak mlflow recover` first"
        )
    return SweepToResume(
        run_id, tuple(json.loads(tags[OVERRIDES_JSON_TAG])), tags["peak.sweep_dir"], run.info.status
    )
