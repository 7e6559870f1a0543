"""Every shell command shown in README.md and docs/ is run here (or by .ci/run itself)."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest

from tests.conftest import shared_data_dir
from tests.support.cli import BIN, PROJECT_ROOT, isolated_env

_FENCE = re.compile(r"```bash\n(.*?)```", re.S)
# Commands that are .ci/run's own steps: running them here would recurse or duplicate CI.
_CI_STEPS = {"pytest": "pytest", "ruff check .": "ruff check .", "lint-imports": "lint-imports"}


def documented_blocks() -> list[tuple[str, list[str]]]:
    """(file, commands) per ```bash block, continuation lines joined, comments dropped."""
    found = []
    for doc in [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").rglob("*.md"))]:
        for block in _FENCE.findall(doc.read_text()):
            commands = []
            for line in block.replace("\\\n", " ").splitlines():
                command = re.sub(r"\s+#[^'\"]*$", "", line).strip()
                if command and not command.startswith("#"):
                    commands.append(" ".join(command.split()))
            found.append((str(doc.relative_to(PROJECT_ROOT)), commands))
    return found


def documented_commands() -> list[tuple[str, str]]:
    """(file, command) for every documented command."""
    return [(doc, command) for doc, commands in documented_blocks() for command in commands]


def _kind(command: str) -> str:
    if command in _CI_STEPS:
        return "ci"
    if command.startswith("pip install -e '.[dev]' && "):
        return "install"
    if command.startswith(("mlflow ui ", "peak mlflow ui")):
        return "mlflow-ui"  # serves until stopped: started, queried and stopped by the test below
    if command.startswith("peak exchange double"):
        return "exchange-double"  # serves until stopped, like mlflow-ui
    if command.startswith(("peak-run", "peak ")):
        return "peak"
    if command.startswith('python -c "'):
        return "python"
    return "unknown"


def test_documented_commands_when_collected_then_each_has_a_runner() -> None:
    commands = documented_commands()
    assert len(commands) >= 10
    unknown = [c for c in commands if _kind(c[1]) == "unknown"]
    assert not unknown, f"add a runner in this test for: {unknown}"


def test_ci_script_when_read_then_runs_the_documented_ci_steps() -> None:
    script = (PROJECT_ROOT / ".ci" / "run").read_text()
    for step in _CI_STEPS.values():
        assert re.search(rf"^{re.escape(step)}(\s|$)", script, re.M), step


def _prepare_home(tmp_path: Path, template: Path) -> Path:
    (tmp_path / "mlruns").mkdir()
    shutil.copyfile(template, tmp_path / "mlruns" / "mlflow.db")
    return tmp_path


def _run_shell(command: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = isolated_env(home)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        ["bash", "-c", command], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def _runnable(command: str) -> str | None:
    kind = _kind(command)
    if kind == "install":
        return command.split("&&", 1)[1].strip()  # the install itself is what .ci/run does first
    return command if kind in ("peak", "python") else None


def _last_run_id(home: Path) -> str:
    """What a documented ``<RUN_ID>`` stands for: the MLflow run id of the block's newest run folder."""
    found = sorted((home / "experiments").glob("*/*/*/run.json"), key=lambda p: p.stat().st_mtime_ns)
    assert found, "a documented <RUN_ID> needs an earlier peak-run in the same block"
    return str(json.loads(found[-1].read_text())["mlflow_run_id"])


def _last_sweep_id(home: Path) -> str:
    """What a documented ``<SWEEP_ID>`` stands for: the parent run of the block's newest sweep (``-m``)."""
    with closing(sqlite3.connect(home / "mlruns" / "mlflow.db")) as conn:
        row = conn.execute(
            "SELECT r.run_uuid FROM runs r JOIN tags t ON t.run_uuid = r.run_uuid "
            "WHERE t.key = 'peak.sweep_role' AND t.value = 'parent' ORDER BY r.start_time DESC LIMIT 1"
        ).fetchone()
    assert row, "a documented <SWEEP_ID> needs an earlier peak-run -m in the same block"
    return str(row[0])


# Commands of one block run in order in one shell: a later command may use what an earlier one wrote.
_BLOCKS = [
    (doc, [r for r in map(_runnable, commands) if r])
    for doc, commands in documented_blocks()
    if any(_runnable(c) for c in commands)
]


@pytest.mark.parametrize(("doc", "commands"), _BLOCKS, ids=[f"{d}:{c[0][:60]}" for d, c in _BLOCKS])
def test_documented_block_when_run_then_every_command_succeeds(
    doc: str, commands: list[str], tmp_path: Path, mlflow_template_db: Path, request: pytest.FixtureRequest
) -> None:
    if any("../shared/" in c for c in commands) and not shared_data_dir().is_dir():
        pytest.skip(f"shared data not found at {shared_data_dir()}")
    if not (PROJECT_ROOT.parent / "shared" / "data").is_dir():
        # A checkout elsewhere (PEAK_SHARED_DATA set): the docs' ../shared/data means that folder.
        commands = [c.replace("../shared/data", str(shared_data_dir())) for c in commands]
    home = _prepare_home(tmp_path, mlflow_template_db)
    if any(_DOUBLE_URL in c for c in commands):
        commands = _with_double(commands, request)
    for command in commands:
        if "<RUN_ID>" in command:
            command = command.replace("<RUN_ID>", _last_run_id(home))
        if "<SWEEP_ID>" in command:
            command = command.replace("<SWEEP_ID>", _last_sweep_id(home))
        proc = _run_shell(command, home)
        assert proc.returncode == 0, f"{doc}: {command}\n{proc.stderr[-3000:]}"


_DOUBLE_URL = "http://127.0.0.1:8765"
_DOUBLE_NOW_S = 1706486400
"""Docs commands that talk to ``--base-url http://127.0.0.1:8765`` get an in-process Kraken double on a
free port, its clock frozen at 2024-01-29 00:00 UTC as the docs say (``peak exchange double --now-s``)."""


def _with_double(commands: list[str], request: pytest.FixtureRequest) -> list[str]:
    from peak.exchange.double import DoubleConfig, KrakenDouble

    double = KrakenDouble(DoubleConfig(port=0, now_s=_DOUBLE_NOW_S))
    double.start()
    request.addfinalizer(double.stop)
    return [c.replace(_DOUBLE_URL, double.url) for c in commands]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


_UI = [(f, c) for f, c in documented_commands() if _kind(c) == "mlflow-ui"]


@pytest.mark.parametrize(("doc", "command"), _UI, ids=[f for f, _ in _UI])
def test_documented_mlflow_ui_when_started_then_serves_the_store(
    doc: str, command: str, tmp_path: Path, mlflow_template_db: Path
) -> None:
    home = _prepare_home(tmp_path, mlflow_template_db)
    port = _free_port()
    args = [*shlex.split(command), "--host", "127.0.0.1", "--port", str(port)]
    env = isolated_env(home)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # Relative store paths in the docs are relative to the project folder, which PEAK_HOME stands for here.
    server = subprocess.Popen(args, cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        body = ""
        deadline = time.time() + 90
        while time.time() < deadline and server.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/ajax-api/2.0/mlflow/experiments/search?max_results=10"
                with urllib.request.urlopen(url, timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert '"experiments"' in body, (
            server.stderr.read().decode()[-2000:] if server.poll() is not None else ""
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


_DOUBLE = [(f, c) for f, c in documented_commands() if _kind(c) == "exchange-double"]


@pytest.mark.parametrize(("doc", "command"), _DOUBLE, ids=[f for f, _ in _DOUBLE])
def test_documented_exchange_double_when_started_then_answers_kraken_time(doc: str, command: str) -> None:
    port = _free_port()
    args = [*re.sub(r"--port \d+", "", command).split(), "--port", str(port)]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    server = subprocess.Popen(
        args, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        body = ""
        deadline = time.time() + 30
        while time.time() < deadline and server.poll() is None and not body:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/0/public/Time", timeout=2) as response:
                    body = response.read().decode()
            except OSError:
                time.sleep(0.2)
        failed = server.stderr.read().decode()[-2000:] if server.poll() is not None else doc
        assert '"unixtime"' in body, failed
    finally:
        server.terminate()
        server.wait(timeout=30)
