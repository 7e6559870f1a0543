"""``peak data check|list`` in process: Markdown and JSON output, one-line errors with the exit code."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from peak.app.cli import app
from peak.core.bars import Bars
from peak.core.timeframe import Timeframe
from peak.data.catalog import catalog_dir, write_bars

H = 3600 * 10**9
T0 = 1704067200 * 10**9


@pytest.fixture()
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PEAK_CATALOG_DIR", str(tmp_path))
    close = 100.0 + np.arange(30.0)
    ts = T0 + np.concatenate((np.arange(10), np.arange(13, 33))) * H  # one gap of 3 bars
    volume = np.where(np.arange(30) < 2, 0.0, 1.0)
    bars = Bars(
        symbol="BTC/USD",
        timeframe=Timeframe.parse("1h"),
        ts=ts,
        open=close,
        high=close + 1,
        low=close - 1,
        close=close,
        volume=volume,
    )
    folder = catalog_dir(tmp_path, "kraken", "BTC/USD", "1h")
    write_bars(folder, bars, exchange="kraken")
    return folder


def test_data_check_when_catalog_folder_then_markdown_names_gap(catalog: Path) -> None:
    result = CliRunner().invoke(app, ["data", "check", str(catalog)])
    assert result.exit_code == 0, result.output
    assert "| gaps | 1 | 3 bars missing" in result.output
    assert "| zero-volume runs | 1 |" in result.output


def test_data_check_when_json_then_counts_and_threshold(catalog: Path) -> None:
    result = CliRunner().invoke(app, ["data", "check", str(catalog), "--json"])
    data = json.loads(result.output)
    assert data["n_bars"] == 30 and data["timeframe"] == "1h" and not data["clean"]
    assert {f["name"]: f["count"] for f in data["findings"]}["gaps"] == 1


def test_data_list_when_catalog_filled_then_one_line_with_range_and_fingerprint(catalog: Path) -> None:
    result = CliRunner().invoke(app, ["data", "list"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("kraken BTC/USD 1h: 30 bars 2024-01-01T00:00:00+00:00 .. ")


def test_data_check_when_path_missing_then_one_line_error_and_exit_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["data", "check", str(tmp_path / "nope")])
    assert result.exit_code == 3
    assert result.output.strip().startswith("peak data: error: file ") and result.output.count("\n") == 1
