"""``peak mlflow ui``: MLflow's UI and REST API on a free loopback port, on the project's store, with the run
artifacts served from the local artifact root; SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.support.cli import BIN, isolated_env, store_uri

START_LIMIT_S = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return int(response.status), response.read().decode()


def _logged_run(home: Path) -> str:
    from peak.tracking.mlflow_run import create_run

    folder = home / "run-folder"
    folder.mkdir()
    (folder / "metrics.json").write_text('{"sharpe": 1.25}\n')
    run = create_run(store_uri(home), "peak", "ui check", {"peak.task": "backtest"})
    run.log_artifacts(folder)
    run.finish("FINISHED")
    return run.info.run_id


def test_peak_mlflow_ui_when_started_then_serves_ui_api_and_artifacts_and_stops_on_sigterm(
    home: Path,
) -> None:
    run_id = _logged_run(home)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "peak"), "mlflow", "ui", "--port", str(port)],
        cwd=home,  # a stray ./mlartifacts or ./mlflow.db would show up here
        env=isolated_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        started = time.monotonic()
        status = 0
        while time.monotonic() - started < START_LIMIT_S and server.poll() is None and status != 200:
            try:
                status, page = _get(f"{base}/")
            except OSError:
                time.sleep(0.2)
        assert status == 200, server.stderr.read() if server.poll() is not None else "no answer in time"
        assert "<html" in page.lower()

        _, body = _get(f"{base}/api/2.0/mlflow/experiments/search?max_results=10")
        names = {e["name"] for e in json.loads(body)["experiments"]}
        assert "peak" in names, names  # the project's store, not a fresh ./mlflow.db
        _, body = _get(f"{base}/api/2.0/mlflow/runs/get?run_id={run_id}")
        assert json.loads(body)["run"]["info"]["artifact_uri"].startswith("file://")
        _, artifact = _get(f"{base}/get-artifact?path=metrics.json&run_uuid={run_id}")
        assert json.loads(artifact) == {"sharpe": 1.25}
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err[-3000:]
    assert f"MLflow UI ready at {base}" in out and "stopped" in out
    assert {p.name for p in home.iterdir()} <= {"mlruns", "run-folder", "cache"}
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # nothing listens any more
