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


def _trades_frame(result: RunResult) -> Any:
    """Trades as written to trades.csv; a portfolio adds which sleeve and symbol each trade belongs to."""
    frame = result.backtest.trades.to_frame()
    if not result.sleeves:
        return frame
    import pandas as pd  # deferred with the rest of the frame code

    parts = []
    for sleeve in result.sleeves:
        part = sleeve.backtest.trades.to_frame()
        part.insert(0, "symbol", sleeve.symbol)
        part.insert(0, "sleeve", sleeve.name)
        parts.append(part)
    merged = pd.concat(parts, ignore_index=True)
    return merged.sort_values(["exit_time", "sleeve"], kind="stable").reset_index(drop=True)


def _equity_frame(result: RunResult) -> Any:
    """The per-bar curve; a portfolio's ``units`` column is its gross exposure, and every sleeve adds
    ``equity.<sleeve>`` and ``units.<sleeve>`` columns."""
    frame = result.backtest.equity_frame()
    if not result.sleeves:
        return frame
    frame = frame.rename(columns={"units": "gross_exposure"})
    for sleeve in result.sleeves:
        frame[f"equity.{sleeve.name}"] = sleeve.backtest.equity
        frame[f"units.{sleeve.name}"] = sleeve.backtest.units
    return frame


def _sleeves_payload(result: RunResult) -> dict[str, Any]:
    names = [s.name for s in result.sleeves]
    corr = result.correlation
    matrix = [
        [None if corr is None or not math.isfinite(float(v)) else float(v) for v in row]
        for row in (corr if corr is not None else [])
    ]
    return {
        "sleeves": {
            s.name: {
                "symbol": s.symbol,
                "strategy": s.strategy,
                "weight": s.weight,
                "metrics": json_safe_metrics(s.metrics),
            }
            for s in result.sleeves
        },
        "correlation": {"sleeves": names, "matrix": matrix, "measure": "pearson of per-bar sleeve P&L"},
    }


def write_results(run_dir: Path, result: RunResult) -> list[Path]:
    """Write metrics.json, trades.csv and equity.parquet (and sleeves.json for a portfolio) into
    ``run_dir``; returns the paths."""
    run_dir.mkdir(parents=True, exist_ok=True)
    metrics_path = run_dir / "metrics.json"
    write_json(metrics_path, json_safe_metrics(result.metrics))
    trades_path = run_dir / "trades.csv"
    _write_atomic(trades_path, _trades_frame(result).to_csv(index=False).encode())
    equity_path = run_dir / "equity.parquet"
    tmp = equity_path.with_name(".equity.parquet.tmp")
    _equity_frame(result).to_parquet(tmp, index=False)
    os.replace(tmp, equity_path)
    paths = [metrics_path, trades_path, equity_path]
    if result.sleeves:
        sleeves_path = run_dir / "sleeves.json"
        write_json(sleeves_path, _sleeves_payload(result))
        paths.append(sleeves_path)
    return paths


def flat_run_metrics(result: RunResult) -> dict[str, MetricValue]:
    """Every metric to log: the run's own, then ``sleeve.<name>.<metric>`` for each sleeve."""
    metrics = dict(result.metrics)
    for sleeve in result.sleeves:
        metrics.update({f"sleeve.{sleeve.name}.{k}": v for k, v in sleeve.metrics.items()})
    return metrics
