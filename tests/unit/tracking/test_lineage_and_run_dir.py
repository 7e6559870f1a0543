"""Lineage helpers and the run folder writer."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peak.core.results import BacktestResult, RunResult, Trades
from peak.tracking import lineage
from peak.tracking.lineage import config_hash, flatten, git_sha
from peak.tracking.run_dir import json_safe_metrics, trades_csv, write_results


def test_flatten_when_nested_then_dotted_keys_and_text_values() -> None:
    flat = flatten({"a": {"b": 1, "c": None, "d": [1, 2]}, "e": True})
    assert flat == {"a.b": "1", "a.c": "null", "a.d": "[1, 2]", "e": "True"}


def test_config_hash_when_key_order_differs_then_same_hash() -> None:
    assert config_hash({"a": 1, "b": {"c": 2}}) == config_hash({"b": {"c": 2}, "a": 1})
    assert config_hash({"a": 1}) != config_hash({"a": 2})


def test_git_sha_when_not_a_repo_then_unknown(tmp_path: Path) -> None:
    assert git_sha(tmp_path) == "unknown"


def test_json_safe_metrics_when_non_finite_then_strings() -> None:
    safe = json_safe_metrics({"pf": math.inf, "x": -math.inf, "y": math.nan, "z": None, "n": 3})
    assert safe == {"pf": "inf", "x": "-inf", "y": "nan", "z": None, "n": 3}


def test_write_results_when_run_finished_then_three_files_round_trip(tmp_path: Path) -> None:
    ts = np.array([0, 3_600_000_000_000], dtype=np.int64)
    trades = Trades(
        entry_ts=ts[:1], exit_ts=ts[1:], entry_price=np.array([100.0]), exit_price=np.array([110.0]),
        units=np.array([1.0]), entry_fee=np.array([0.1]), exit_fee=np.array([0.11]),
        pnl=np.array([9.79]), ret=np.array([0.0978]),
    )  # fmt: skip
    backtest = BacktestResult(
        ts=ts, equity=np.array([100.1, 109.89]), cash=np.array([0.0, 109.89]), units=np.array([1.0, 0.0]),
        trades=trades, initial_cash=100.1,
    )  # fmt: skip
    metrics = {"profit_factor": math.inf}
    result = RunResult(backtest=backtest, metrics=metrics, data_fingerprint="f", symbol="B/U", timeframe="1h")
    write_results(tmp_path, result)
    assert json.loads((tmp_path / "metrics.json").read_text()) == {"profit_factor": "inf"}
    frame = pd.read_csv(tmp_path / "trades.csv")
    assert list(frame.columns)[:2] == ["entry_time", "exit_time"] and frame["pnl"].iloc[0] == 9.79
    equity = pd.read_parquet(tmp_path / "equity.parquet")
    assert equity["ts"].dtype == np.int64 and equity["equity"].tolist() == [100.1, 109.89]
    assert not list(tmp_path.glob(".*.tmp"))


def _trades(entry_ts: list[int], pnl: list[float]) -> Trades:
    n = len(entry_ts)
    ts = np.array(entry_ts, dtype=np.int64)
    prices = np.linspace(100.0, 100.0 + n, n) / 3.0  # long reprs, like real fills
    return Trades(
        entry_ts=ts, exit_ts=ts + 3_600_000_000_000, entry_price=prices, exit_price=prices * 1.1,
        units=np.full(n, 0.123456789), entry_fee=prices * 1e-3, exit_fee=prices * 1.1e-3,
        pnl=np.array(pnl), ret=np.array(pnl) / 1000.0,
    )  # fmt: skip


def _result(trades: Trades) -> RunResult:
    ts = np.array([0], dtype=np.int64)
    backtest = BacktestResult(
        ts=ts, equity=np.ones(1), cash=np.ones(1), units=np.zeros(1), trades=trades, initial_cash=1.0
    )
    return RunResult(backtest=backtest, metrics={}, data_fingerprint="f", symbol="B/U", timeframe="1h")


@pytest.mark.parametrize(
    ("entry_ts", "pnl"),
    [
        ([1_700_000_000_000_000_000, 1_700_003_600_000_000_000], [12.5, -3.000000000000001]),
        ([], []),
        ([1_700_000_000_500_000_000], [1.0]),  # sub-second time: pandas' own formatting
        ([1_700_000_000_000_000_000], [math.nan]),  # NaN: pandas writes an empty cell
    ],
)
def test_trades_csv_when_written_then_byte_identical_to_pandas(entry_ts: list[int], pnl: list[float]) -> None:
    result = _result(_trades(entry_ts, pnl))
    assert trades_csv(result) == result.backtest.trades.to_frame().to_csv(index=False)


def test_git_sha_when_asked_twice_then_git_runs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(lineage, "_lookup_git_sha", lambda root: calls.append(root) or "abc")
    folder = tmp_path / "project"
    folder.mkdir()
    assert git_sha(folder) == git_sha(folder) == "abc"
    assert calls == [folder.resolve()]
