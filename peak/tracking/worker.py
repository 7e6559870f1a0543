"""A helper process that owns the MLflow client, so mlflow's ~2.5 s import overlaps the backtest.

``TrackingWorker.fork()`` is called first thing in ``peak-run``: the child imports mlflow on the second
core while the parent composes the config, loads data and simulates. The parent then sends each
operation over a pipe and waits for its answer. If the parent dies (even by SIGKILL) the child sees the
pipe close and marks an open run KILLED, so no run is left RUNNING.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import os
import signal
import traceback
from collections.abc import Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from peak.core.errors import TrackingError
from peak.core.results import MetricValue
from peak.tracking.mlflow_run import RunHandle, RunInfo, create_run


def _serve(conn: Connection, parent_end: Connection) -> None:
    # The fork copied the parent's end of the pipe; closing it here is what lets us see EOF when the
    # parent dies.
    parent_end.close()
    # SIGINT/SIGTERM go to the whole process group; the parent decides the status and tells us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    import mlflow.store.tracking.sqlalchemy_store
    import mlflow.tracking  # noqa: F401

    handle: RunHandle | None = None
    while True:
        try:
            op, args = conn.recv()
        except (EOFError, OSError):
            if handle is not None:
                handle.finish("KILLED", "the peak-run process ended without closing the run")
            return
        try:
            if op == "create_run":
                handle = create_run(*args)
                result: Any = handle.info
            elif op == "stop":
                conn.send(("ok", None))
                return
            else:
                if handle is None:
                    raise TrackingError(f"no run is open for {op}")
                result = getattr(handle, op)(*args)
                if op == "finish":
                    handle = None
            conn.send(("ok", result))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


class TrackingWorker:
    """The parent's end of the pipe. One worker serves one run at a time."""

    def __init__(self, conn: Connection, process: multiprocessing.process.BaseProcess) -> None:
        self._conn = conn
        self._process = process

    @classmethod
    def fork(cls) -> TrackingWorker:
        """Start the helper. Fork is used so it starts in milliseconds without re-importing Peak."""
        ctx = multiprocessing.get_context("fork")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(child, parent), daemon=True, name="peak-tracking")
        process.start()
        child.close()
        worker = cls(parent, process)
        # multiprocessing's own exit hook would SIGTERM the helper (which ignores it) and then wait
        # forever; ours is registered later, so it runs first and stops the helper cleanly.
        atexit.register(worker.close)
        return worker

    def call(self, op: str, *args: Any) -> Any:
        """Run ``op`` in the helper and return its result; failures become ``TrackingError``."""
        try:
            self._conn.send((op, args))
            status, value = self._conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            raise TrackingError(f"the tracking helper process stopped unexpectedly ({exc})") from exc
        if status == "error":
            raise TrackingError(str(value).split("\n", 1)[0])
        return value

    def create_run(
        self, uri: str, experiment: str, run_name: str | None, tags: Mapping[str, str]
    ) -> RemoteRun:
        """Create a RUNNING run in the helper."""
        info: RunInfo = self.call("create_run", uri, experiment, run_name, dict(tags))
        return RemoteRun(self, info)

    def close(self) -> None:
        """Stop the helper and wait for it (it has nothing left to do). Safe to call twice."""
        if self._conn.closed:
            return
        if self._process.is_alive():
            with contextlib.suppress(TrackingError):
                self.call("stop")
        self._process.join(timeout=10)
        if self._process.is_alive() and self._process.pid is not None:
            os.kill(self._process.pid, signal.SIGKILL)
        self._conn.close()


class RemoteRun:
    """A run whose MLflow calls happen in the helper process; same methods as ``RunHandle``."""

    def __init__(self, worker: TrackingWorker, info: RunInfo) -> None:
        self._worker = worker
        self.info = info

    def log(
        self,
        params: Mapping[str, str] | None = None,
        metrics: Mapping[str, MetricValue] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """See ``RunHandle.log``."""
        self._worker.call("log", dict(params or {}), dict(metrics or {}), dict(tags or {}))

    def log_artifacts(self, folder: Path, artifact_path: str | None = None) -> None:
        """See ``RunHandle.log_artifacts``."""
        self._worker.call("log_artifacts", folder, artifact_path)

    def log_text(self, text: str, name: str) -> None:
        """See ``RunHandle.log_text``."""
        self._worker.call("log_text", text, name)

    def finish(self, status: str, error: str | None = None) -> None:
        """See ``RunHandle.finish``."""
        self._worker.call("finish", status, error)
