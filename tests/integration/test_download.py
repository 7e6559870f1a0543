"""End to end: ``peak data download`` against the loopback Kraken double (killed and resumed), and
``peak-run data=catalog`` backtesting bars from the catalog."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from peak.app.cli import app
from peak.data.catalog import catalog_dir, read_catalog, read_manifest, write_bars
from peak.data.load import read_ohlcv
from peak.data.timestamps import iso
from peak.exchange import ExchangeConfig, open_exchange
from peak.exchange.double import DoubleConfig, KrakenDouble
from tests.support.cli import BIN, PROJECT_ROOT, isolated_env, run_cli

NOW_S = 1_717_200_000 // 60 * 60  # the double's frozen clock: 2024-06-01 00:00 UTC
SINCE_S = NOW_S - 700 * 60  # 700 complete 1m candles, inside Kraken's 720-candle window


@pytest.fixture(scope="module")
def double() -> Iterator[KrakenDouble]:
    with KrakenDouble(DoubleConfig(port=0, now_s=NOW_S)) as running:
        yield running


def _download_args(double: KrakenDouble, root: Path, *extra: str) -> list[str]:
    return [
        "data",
        "download",
        "--exchange",
        "kraken",
        "--symbol",
        "BTC/USD",
        "--timeframe",
        "1m",
        "--since",
        iso(SINCE_S * 10**9),
        "--base-url",
        double.url,
        "--page-limit",
        "100",
        "--root",
        str(root),
        *extra,
    ]


def test_download_when_killed_and_resumed_then_exactly_the_doubles_bars(
    double: KrakenDouble, tmp_path: Path
) -> None:
    folder = catalog_dir(tmp_path / "data", "kraken", "BTC/USD", "1m")
    cmd = [str(BIN / "peak"), *_download_args(double, tmp_path / "data")]
    proc = subprocess.Popen(
        cmd, cwd=PROJECT_ROOT, env=isolated_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        manifest = read_manifest(folder) if (folder / "manifest.json").is_file() else None
        if manifest is not None and manifest.n_bars >= 200:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the download finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    killed_at = read_manifest(folder).n_bars  # type: ignore[union-attr]
    assert 200 <= killed_at < 700
    resumed = run_cli("peak", _download_args(double, tmp_path / "data", "--resume"), tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert "| duplicate timestamps | 0 |" in resumed.stdout and "| gaps | 0 |" in resumed.stdout
    with open_exchange(ExchangeConfig(id="kraken", base_url=double.url, rate_limit_ms=0)) as ex:
        rows = np.array(ex.fetch_ohlcv("BTC/USD", "1m", since_ms=SINCE_S * 1000, limit=720), dtype=float)
    expected = rows[:-1]  # the last candle is still forming on the double's clock
    bars = read_catalog(folder, symbol="BTC/USD", timeframe="1m")
    assert len(bars) == len(expected) == 700
    assert np.array_equal(bars.ts, expected[:, 0].astype(np.int64) * 10**6)
    got = np.column_stack([bars.open, bars.high, bars.low, bars.close, bars.volume])
    assert np.array_equal(got, expected[:, 1:6])


def test_download_when_since_older_than_720_candles_then_refuses_naming_available_range(
    double: KrakenDouble, tmp_path: Path
) -> None:
    args = _download_args(double, tmp_path / "data")
    args[args.index("--since") + 1] = iso((NOW_S - 800 * 60) * 10**9)
    result = CliRunner().invoke(app, args)  # in process: the subprocess path is covered above
    assert result.exit_code == 3
    assert result.output.startswith("peak data: error: kraken serves 1m candles only from 2024-05-31T12:01")
    assert not list(tmp_path.rglob("*.parquet"))


def test_peak_run_when_data_catalog_then_backtests_catalog_bars(home: Path, market_dir: Path) -> None:
    bars = read_ohlcv(market_dir / "BTCUSDT_1h.csv.gz", symbol="BTC/USD", timeframe="1h").slice(0, 4000)
    write_bars(catalog_dir(home / "data", "kraken", "BTC/USD", "1h"), bars, exchange="kraken")
    args = [
        "data=catalog",
        "data.exchange=kraken",
        "data.symbol=BTC/USD",
        "data.timeframe=1h",
        "data.gaps=ignore",
    ]
    proc = run_cli("peak-run", args, home)
    assert proc.returncode == 0, proc.stderr
    [run_json] = (home / "experiments" / "runs").glob("*/*/run.json")
    assert json.loads(run_json.read_text())["data_fingerprint"]
    assert "sharpe=" in proc.stdout
