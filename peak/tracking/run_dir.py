"""The files a run leaves in its folder: metrics.json, trades.csv, equity.parquet and run.json."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from peak.core.results import MetricValue, RunResult


def json_safe_metrics(metrics: Mapping[str, MetricValue]) -> dict[str, Any]:
    """Strict-JSON metrics: non-finite floats become the strings ``"inf"``, ``"-inf"`` or ``"nan"``."""
    safe: dict[str, Any] = {}
    for key, value in metrics.items():
        if isinstance(value, float) and not math.isfinite(value):
            safe[key] = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        else:
            safe[key] = value
    return safe


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_json(path: Path, payload: Mapping[str, Any]) -> None:
    """Write indented strict JSON atomically (a crash never leaves half a file)."""
    text = json.dumps(payload, indent=2, sort_keys=True, allow_nan=False) + "\n"
    _write_atomic(path, text.encode())


def write_results(run_dir: Path, result: RunResult) -> list[Path]:
    """Write metrics.json, trades.csv and equity.parquet into ``run_dir``; returns the paths."""
    run_dir.mkdir(parents=True, exist_ok=True)
    metrics_path = run_dir / "metrics.json"
    write_json(metrics_path, json_safe_metrics(result.metrics))
    trades_path = run_dir / "trades.csv"
    _write_atomic(trades_path, result.backtest.trades.to_frame().to_csv(index=False).encode())
    equity_path = run_dir / "equity.parquet"
    tmp = equity_path.with_name(".equity.parquet.tmp")
    result.backtest.equity_frame().to_parquet(tmp, index=False)
    os.replace(tmp, equity_path)
    return [metrics_path, trades_path, equity_path]
