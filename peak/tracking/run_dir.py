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


_NS_PER_S = 1_000_000_000


def trades_csv(result: RunResult) -> str:
    """trades.csv as pandas writes it (times ``2024-01-01 00:00:00+00:00``, floats as ``repr``), built
    straight from the trade arrays when it can be: pandas' tz-aware formatting costs ~6 ms a run, which
    is a tenth of a sweep job. Portfolios, NaN values and sub-second times take the pandas path."""
    trades = result.backtest.trades
    columns = trades.to_columns() if not result.sleeves else None
    if columns is None or not _plain_columns(columns):
        return str(_trades_frame(result).to_csv(index=False))
    import csv
    import io

    import numpy as np

    cells: list[list[Any]] = []
    for values in columns.values():
        if values.dtype.kind == "i":  # int64 UTC nanoseconds
            text = np.datetime_as_string(values.astype("datetime64[ns]"), unit="s", timezone="naive")
            cells.append([t.replace("T", " ") + "+00:00" for t in text.tolist()])
        else:
            cells.append(values.tolist())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(columns))
    writer.writerows(zip(*cells, strict=True))
    return buffer.getvalue()


def _plain_columns(columns: Mapping[str, Any]) -> bool:
    import numpy as np

    for values in columns.values():
        if values.dtype.kind == "i" and bool(np.any(values % _NS_PER_S)):
            return False
        if values.dtype.kind == "f" and not bool(np.all(np.isfinite(values))):
            return False
    return True


def _write_equity(path: Path, result: RunResult) -> None:
    """equity.parquet without dictionary encoding: float curves have no repeats to share, and the
    dictionary attempt costs more than the rest of the write (~8 of ~12 ms on the sample)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = _equity_frame(result)
    # From the column arrays: pyarrow's pandas conversion costs more than the write itself.
    table = pa.table({str(name): frame[name].to_numpy() for name in frame.columns})
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp, use_dictionary=False)
    os.replace(tmp, path)


def write_results(run_dir: Path, result: RunResult) -> list[Path]:
    """Write metrics.json, trades.csv and equity.parquet (and sleeves.json for a portfolio) into
    ``run_dir``; returns the paths."""
    run_dir.mkdir(parents=True, exist_ok=True)
    metrics_path = run_dir / "metrics.json"
    write_json(metrics_path, json_safe_metrics(result.metrics))
    trades_path = run_dir / "trades.csv"
    _write_atomic(trades_path, trades_csv(result).encode())
    equity_path = run_dir / "equity.parquet"
    _write_equity(equity_path, result)
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
