"""``peak mlflow ui`` settings: loopback only unless exposed, the store's artifact root, the command line."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from peak.app.cli import app
from peak.core.errors import ConfigError, SafetyError
from peak.tracking.ui import (
    check_port_free,
    exposure_warning,
    is_loopback,
    server_command,
    ui_settings,
)

URI = "sqlite:////p/mlruns/mlflow.db"


def test_is_loopback_when_loopback_addresses_then_true() -> None:
    for host in ("127.0.0.1", "127.1.2.3", "::1", "localhost"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.5", "example.com"):
        assert not is_loopback(host), host


def test_ui_settings_when_all_interfaces_without_expose_then_safety_error() -> None:
    with pytest.raises(SafetyError, match=r"0\.0\.0\.0.*--expose"):
        ui_settings(URI, host="0.0.0.0")


def test_ui_settings_when_exposed_then_allowed_and_warning_names_host() -> None:
    settings = ui_settings(URI, host="0.0.0.0", port=5001, expose=True)
    assert settings.exposed and settings.url == "http://127.0.0.1:5001"
    assert "0.0.0.0:5001" in exposure_warning(settings) and "no login" in exposure_warning(settings)


def test_ui_settings_when_sqlite_store_then_artifacts_beside_the_database() -> None:
    settings = ui_settings(URI)
    assert settings.artifact_root == "file:///p/mlruns/artifacts"
    assert not settings.exposed and settings.url == "http://127.0.0.1:5000"


def test_ui_settings_when_store_is_a_server_then_config_error() -> None:
    with pytest.raises(ConfigError, match="already an MLflow server"):
        ui_settings("http://127.0.0.1:5000")


def test_server_command_when_built_then_single_worker_loopback_no_artifact_proxy() -> None:
    command = server_command(ui_settings(URI, port=5123))
    assert command[1:4] == ["-m", "mlflow", "server"]
    joined = " ".join(command)
    assert f"--backend-store-uri {URI}" in joined
    assert "--default-artifact-root file:///p/mlruns/artifacts" in joined
    assert "--host 127.0.0.1 --port 5123 --workers 1" in joined and "--no-serve-artifacts" in joined


def test_check_port_free_when_port_has_a_listener_then_config_error_names_it() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError, match=f"127.0.0.1:{port}.*--port"):
            check_port_free("127.0.0.1", port)


def test_peak_mlflow_ui_when_all_interfaces_without_expose_then_exit_7_before_starting() -> None:
    result = CliRunner().invoke(app, ["mlflow", "ui", "--host", "0.0.0.0"])
    assert result.exit_code == 7
    assert "refusing" in result.output and "--expose" in result.output


def test_peak_mlflow_ui_when_print_command_then_shows_mlflow_server_line(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PEAK_HOME", str(tmp_path))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    result = CliRunner().invoke(app, ["mlflow", "ui", "--print-command", "--port", "5002"])
    assert result.exit_code == 0, result.output
    assert "mlflow server" in result.output and str(tmp_path / "mlruns" / "mlflow.db") in result.output
