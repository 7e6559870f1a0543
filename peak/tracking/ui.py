"""The MLflow UI for reviewers: MLflow's tracking server (UI and REST API) on the project's store, bound to
loopback, answering within seconds.

``mlflow server`` costs two full imports of MLflow before it answers (~6 s each on a CI core): its CLI
process, then the uvicorn process it spawns. ``peak mlflow ui`` serves the same ASGI app (the one
``mlflow server`` runs by default) on uvicorn in its own process, with the settings that command line would
give it (:func:`server_command`), so it pays one import. Should MLflow's server internals move in an
upgrade, it runs that ``mlflow server`` command instead: slower to start, same result.

Settings and why:

- one process, one worker: one reviewer's browser on a sqlite store; more workers only multiply the
  start-up import and the memory;
- the store is created and migrated by :func:`peak.tracking.store.prepare_store` (under Peak's lock, WAL)
  before the server opens it, so the server never creates or migrates tables itself;
- artifacts are read where Peak wrote them: every Peak run has a ``file://`` artifact URI under
  :func:`peak.tracking.store.artifact_root`, which the server reads directly, and experiments created from
  the UI get a folder there too. No artifact proxy (``--no-serve-artifacts``): it would add an upload
  endpoint nobody needs and, without a destination, an ``./mlartifacts`` folder in the working directory;
- no job-execution runner (``MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false``, GenAI jobs Peak does not use) and
  no telemetry (``MLFLOW_DISABLE_TELEMETRY=true``): a review UI makes no outbound calls;
- MLflow's security middleware stays on (Host-header and CORS checks), and a non-loopback ``host`` is
  refused unless exposed on purpose (:func:`ui_settings`), because the UI has no login.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import sys
import threading
import time
import urllib.request
import warnings
from collections.abc import Callable
from typing import Any

from pydantic import Field

from peak.core.config import FrozenModel
from peak.core.errors import ConfigError, SafetyError
from peak.tracking.store import artifact_root

SERVER_ENV: dict[str, str] = {
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
    "MLFLOW_DISABLE_TELEMETRY": "true",
}
"""Environment the server runs with (see the module docstring)."""
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
READY_TIMEOUT_S = 120.0
"""How long the start-up announcement waits for the first answer before saying the server is slow."""


class UiSettings(FrozenModel):
    """Where the UI listens and what it serves, e.g. ``UiSettings(uri="sqlite:////p/mlruns/mlflow.db",
    host="127.0.0.1", port=5000, artifact_root="file:///p/mlruns/artifacts", exposed=False)``."""

    uri: str
    host: str = "127.0.0.1"
    port: int = Field(5000, ge=1, le=65535)
    artifact_root: str | None = None
    """Default artifact folder (``file://`` URI) for experiments created from the UI; None for stores
    that are not a local sqlite file (the runs' own artifact URIs are read either way)."""
    exposed: bool = False

    @property
    def url(self) -> str:
        """Where a browser on this machine opens it, e.g. ``http://127.0.0.1:5000``."""
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        shown = "[::1]" if shown in ("::", "::1") else shown
        return f"http://{shown}:{self.port}"


def is_loopback(host: str) -> bool:
    """True for ``localhost``, ``127.0.0.0/8`` and ``::1``: addresses no other machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ui_settings(uri: str, *, host: str = "127.0.0.1", port: int = 5000, expose: bool = False) -> UiSettings:
    """Checked settings for ``uri``. Example: ``ui_settings("sqlite:////p/mlruns/mlflow.db").url``.

    Raises ``SafetyError`` for a non-loopback ``host`` without ``expose`` (the UI has no login: anyone who
    reaches it can read, tag and delete every run) and ``ConfigError`` for a store that already is a
    server (``http(s)://``: open that instead).
    """
    if uri.startswith(("http://", "https://")):
        raise ConfigError(f"the tracking store {uri} is already an MLflow server; open it in a browser")
    if not is_loopback(host) and not expose:
        raise SafetyError(
            f"refusing to serve the MLflow UI on {host}: it has no login, so anyone who can reach it can "
            "read, tag and delete every run. Use a loopback address (127.0.0.1, the default, ::1 or "
            "localhost), or pass --expose to accept that"
        )
    root = artifact_root(uri)
    return UiSettings(
        uri=uri,
        host=host,
        port=port,
        artifact_root=None if root is None else root.as_uri(),
        exposed=not is_loopback(host),
    )


def exposure_warning(settings: UiSettings) -> str:
    """What ``--expose`` prints before the server starts."""
    return (
        f"WARNING: the MLflow UI listens on {settings.host}:{settings.port}, beyond this machine; it has "
        "no login, so anyone who can reach that port can read, tag and delete every run in "
        f"{settings.uri}. Stop it when the review is over."
    )


def server_command(settings: UiSettings) -> list[str]:
    """The ``mlflow server`` command line with the same settings (run as-is when the in-process server
    cannot start). Example: ``shlex.join(server_command(ui_settings(uri)))``."""
    command = [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--backend-store-uri",
        settings.uri,
        "--no-serve-artifacts",
        "--host",
        settings.host,
        "--port",
        str(settings.port),
        "--workers",
        "1",
    ]
    if settings.artifact_root is not None:
        command[6:6] = ["--default-artifact-root", settings.artifact_root]
    return command


def check_port_free(host: str, port: int) -> None:
    """Fail fast, before the slow imports, when something already listens on ``host:port``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # Same option as uvicorn's own socket: a port in TIME_WAIT is free, one with a listener is not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}; another MLflow UI may be running "
                "there, pick another port with --port"
            ) from exc


def is_answering(url: str, timeout_s: float = 1.0) -> bool:
    """True when ``<url>/health`` answers 200 (MLflow's liveness endpoint)."""
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=timeout_s) as response:
            return int(response.status) == 200
    except OSError:
        return False


def _announce_when_ready(settings: UiSettings, started: float, announce: Callable[[str], None]) -> None:
    deadline = started + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if is_answering(settings.url):
            announce(
                f"MLflow UI ready at {settings.url} in {time.monotonic() - started:.1f} s "
                f"(store {settings.uri}); Ctrl-C stops it"
            )
            return
        time.sleep(0.1)
    announce(f"MLflow UI not answering at {settings.url} after {READY_TIMEOUT_S:.0f} s; still starting")


def _mlflow_app(settings: UiSettings) -> Any:
    """MLflow's ASGI app bound to the store, or None when MLflow's server internals moved."""
    # uvicorn must be imported before mlflow.server: MLflow turns its security middleware (Host-header
    # and CORS checks) on only when it sees a server module loaded at import time.
    import uvicorn  # noqa: F401

    from peak.tracking.store import prepare_store

    prepare_store(settings.uri)
    try:
        with warnings.catch_warnings():
            # MLflow's own import of starlette's WSGI bridge warns; nothing a reviewer can act on.
            warnings.filterwarnings("ignore", message=".*starlette.middleware.wsgi is deprecated")
            from mlflow.server.fastapi_app import app
            from mlflow.server.handlers import initialize_backend_stores
    except ImportError:
        return None
    # What `mlflow server` does before it starts its workers: open the stores once, with the default root.
    initialize_backend_stores(settings.uri, settings.uri, settings.artifact_root)
    return app


def serve(settings: UiSettings, announce: Callable[[str], None] = print) -> int:
    """Serve the UI until SIGINT or SIGTERM; returns the exit code (0 after a clean stop).

    ``announce`` receives one line once the UI answers (and the fallback note, if any).
    Raises ``ConfigError`` when the port is taken.
    """
    check_port_free(settings.host, settings.port)
    os.environ.update(SERVER_ENV)
    started = time.monotonic()
    app = _mlflow_app(settings)
    if app is None:
        command = server_command(settings)
        announce("MLflow's server internals moved in this release; starting `mlflow server` instead")
        os.execv(command[0], command)  # replaces this process: signals reach mlflow's CLI directly
    import uvicorn

    watcher = threading.Thread(
        target=_announce_when_ready, args=(settings, started, announce), name="peak-ui-ready", daemon=True
    )
    watcher.start()
    # uvicorn stops on SIGINT/SIGTERM: it closes the socket and finishes open requests (at most 5 s).
    # Then it raises the signal again under the handlers it found, so that the default ones would kill
    # the process or raise KeyboardInterrupt; the handlers below make that a clean return (exit 0).
    stops: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: stops.append(signum)) for sig in _STOP_SIGNALS}
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=5,
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    announce(f"MLflow UI at {settings.url} stopped")
    return 0
