"""``task=backtest``: load bars, simulate, write the run folder and record the run in MLflow."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from peak.app.config import RunConfig
from peak.app.paths import project_root
from peak.backtest import run_backtest
from peak.core.results import RunResult
from peak.data import LoadedData, load_bars
from peak.tracking.lineage import config_hash, flatten, git_sha, package_version
from peak.tracking.run_dir import write_json, write_results
from peak.tracking.store import resolve_uri
from peak.tracking.tracked import start_run
from peak.tracking.worker import TrackingWorker

log = logging.getLogger("peak")


@dataclass(frozen=True)
class BacktestOutcome:
    """What ``peak-run`` reports back: the result, its folder and the MLflow run id (None if tracking off)."""

    result: RunResult
    run_dir: Path
    run_id: str | None
    lineage: dict[str, str]


def _lineage(cfg: RunConfig, loaded: LoadedData, overrides: Sequence[str]) -> dict[str, str]:
    bars = loaded.bars
    return {
        "peak.version": package_version(),
        "peak.git_sha": git_sha(project_root()),
        "peak.config_hash": config_hash(cfg.identity()),
        "peak.data_fingerprint": loaded.fingerprint,
        "peak.task": cfg.task.name,
        "peak.strategy": cfg.strategy.name,
        "peak.symbol": bars.symbol,
        "peak.timeframe": bars.timeframe.text,
        "peak.data_source": bars.source,
        "peak.data_start": bars.start.isoformat() if len(bars) else "",
        "peak.data_end": bars.end.isoformat() if len(bars) else "",
        "peak.n_bars": str(len(bars)),
        "peak.overrides": " ".join(overrides),
    }


def _run_json(
    lineage: dict[str, str], run_id: str | None, cfg: RunConfig, uri: str | None
) -> dict[str, object]:
    return {
        "mlflow_run_id": run_id,
        "experiment": cfg.tracking.experiment if cfg.tracking.enabled else None,
        "tracking_uri": uri,
        "config_hash": lineage["peak.config_hash"],
        "data_fingerprint": lineage["peak.data_fingerprint"],
        "git_sha": lineage["peak.git_sha"],
        "peak_version": lineage["peak.version"],
        "symbol": lineage["peak.symbol"],
        "timeframe": lineage["peak.timeframe"],
        "n_bars": int(lineage["peak.n_bars"]),
        "data_start": lineage["peak.data_start"],
        "data_end": lineage["peak.data_end"],
    }


def run_backtest_task(
    cfg: RunConfig, run_dir: Path, overrides: Sequence[str], worker: TrackingWorker | None = None
) -> BacktestOutcome:
    """Run one backtest end to end; MLflow calls go through ``worker`` when given.

    Raises PeakError subclasses for user-facing failures.
    """
    loaded = load_bars(cfg.data)
    log.info("loaded %s", loaded.quality.summary())
    result = run_backtest(
        loaded.bars,
        strategy=cfg.strategy,
        execution=cfg.execution,
        portfolio=cfg.portfolio,
        risk=cfg.risk,
        data_fingerprint=loaded.fingerprint,
    )
    lineage = _lineage(cfg, loaded, overrides)
    write_results(run_dir, result)
    if not cfg.tracking.enabled:
        write_json(run_dir / "run.json", _run_json(lineage, None, cfg, None))
        return BacktestOutcome(result=result, run_dir=run_dir, run_id=None, lineage=lineage)
    uri = resolve_uri(cfg.tracking.uri, project_root())
    tags = {**lineage, "mlflow.source.name": "peak-run", "mlflow.source.git.commit": lineage["peak.git_sha"]}
    with start_run(uri, cfg.tracking.experiment, cfg.tracking.run_name, tags, worker) as run:
        write_json(run_dir / "run.json", _run_json(lineage, run.info.run_id, cfg, uri))
        params = flatten(cfg.model_dump(mode="json"))
        run.log(params=params, metrics=result.metrics)
        run.log_artifacts(run_dir)
    return BacktestOutcome(result=result, run_dir=run_dir, run_id=run.info.run_id, lineage=lineage)
