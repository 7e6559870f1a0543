"""``task=backtest``: load bars, simulate, write the run folder and record the run in MLflow."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from peak.app.config import RunConfig
from peak.app.paths import project_root
from peak.app.report_task import write_run_reports
from peak.app.study import StudyOutput
from peak.app.task_config import GridTask
from peak.backtest import resolve_sleeves, run_backtest, run_portfolio
from peak.backtest.portfolio_config import WeightedPortfolioConfig
from peak.core.bars import Bars
from peak.core.errors import ConfigError
from peak.core.results import MetricValue, RunResult
from peak.data import LoadedData, load_bars
from peak.data.config import for_symbol
from peak.data.timestamps import iso
from peak.portfolio.config import PortfolioConfig
from peak.tracking.lineage import code_git_sha, config_hash, flatten, package_version
from peak.tracking.run_dir import flat_run_metrics, write_json, write_results
from peak.tracking.store import resolve_uri
from peak.tracking.sweep import child_tags, override_tags, process_tags
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
    study: Mapping[str, MetricValue] = field(default_factory=dict)
    """Metrics of the task's study beyond the backtest (e.g. ``mc.sharpe.p5`` for task=monte_carlo)."""
    study_lines: tuple[str, ...] = ()
    """What the study adds to the printed summary."""
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Simulated:
    """A finished simulation and what a study needs to go further: the bars by symbol, the config that
    actually ran (a grid swaps in its best strategy) and anything the task computed before simulating."""

    result: RunResult
    fingerprint: str
    source: str
    strategy: str
    bars: Mapping[str, Bars]
    cfg: RunConfig
    before: StudyOutput = field(default_factory=StudyOutput)


def _lineage(cfg: RunConfig, sim: Simulated, overrides: Sequence[str]) -> dict[str, str]:
    backtest = sim.result.backtest
    ts = backtest.ts
    return {
        "peak.version": package_version(),
        "peak.git_sha": code_git_sha(),
        "peak.config_hash": config_hash(cfg.identity()),
        "peak.data_fingerprint": sim.fingerprint,
        "peak.task": cfg.task.name,
        "peak.portfolio": cfg.portfolio.name,
        "peak.strategy": sim.strategy,
        "peak.symbol": sim.result.symbol,
        "peak.timeframe": sim.result.timeframe,
        "peak.data_source": sim.source,
        "peak.data_start": iso(int(ts[0])) if len(ts) else "",
        "peak.data_end": iso(int(ts[-1])) if len(ts) else "",
        "peak.n_bars": str(len(ts)),
        "peak.overrides": " ".join(overrides),
    }


def _run_name(lineage: dict[str, str], job_num: int | None) -> str:
    """What the MLflow UI lists a run as, e.g. ``job 7: strategy.fast=5 strategy.slow=300`` in a sweep
    or ``backtest ma_crossover BTC/USDT 1h`` for a single run."""
    if job_num is not None:
        return f"job {job_num}: {lineage['peak.overrides']}".strip()
    keys = ("peak.task", "peak.strategy", "peak.symbol", "peak.timeframe")
    return " ".join(lineage[k] for k in keys if lineage[k])


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
        "portfolio": lineage["peak.portfolio"],
        "symbol": lineage["peak.symbol"],
        "timeframe": lineage["peak.timeframe"],
        "n_bars": int(lineage["peak.n_bars"]),
        "data_start": lineage["peak.data_start"],
        "data_end": lineage["peak.data_end"],
    }


def _simulate_single(cfg: RunConfig, portfolio: PortfolioConfig, run_dir: Path) -> Simulated:
    loaded = load_bars(cfg.data)
    log.info("loaded %s", loaded.quality.summary())
    before = StudyOutput()
    if isinstance(cfg.task, GridTask):
        from peak.app.grid_task import grid_search
        from peak.research.grid import Book

        book = Book(cfg.execution, portfolio, cfg.risk)
        best, before = grid_search(cfg.task, loaded.bars, cfg.strategy, book, run_dir)
        cfg = cfg.model_copy(update={"strategy": best})
    result = run_backtest(
        loaded.bars,
        strategy=cfg.strategy,
        execution=cfg.execution,
        portfolio=portfolio,
        risk=cfg.risk,
        data_fingerprint=loaded.fingerprint,
    )
    bars = {loaded.bars.symbol: loaded.bars}
    return Simulated(result, loaded.fingerprint, loaded.bars.source, cfg.strategy.name, bars, cfg, before)


def _combined_fingerprint(loaded: dict[str, LoadedData]) -> str:
    """One sha256 over every symbol's fingerprint, in symbol order."""
    text = "\n".join(f"{symbol}={data.fingerprint}" for symbol, data in sorted(loaded.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def _simulate_weighted(cfg: RunConfig, portfolio: WeightedPortfolioConfig) -> Simulated:
    sleeves = resolve_sleeves(portfolio, strategy=cfg.strategy, risk=cfg.risk, symbol=cfg.data.symbol)
    symbols = list(dict.fromkeys(s.symbol for s in sleeves))
    if all(s.strategy is not None for s in portfolio.sleeves.values()):
        log.info("every sleeve sets its own strategy; the strategy group (%s) is not used", cfg.strategy.name)
    loaded: dict[str, LoadedData] = {}
    for symbol in symbols:
        try:
            source = for_symbol(cfg.data, symbol, n_symbols=len(symbols))
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        loaded[symbol] = load_bars(source)
        log.info("loaded %s", loaded[symbol].quality.summary())
    fingerprint = _combined_fingerprint(loaded)
    result = run_portfolio(
        {s: d.bars for s, d in loaded.items()},
        sleeves,
        portfolio=portfolio,
        execution=cfg.execution,
        data_fingerprint=fingerprint,
    )
    source = ",".join(dict.fromkeys(d.bars.source for d in loaded.values()))
    strategies = ",".join(dict.fromkeys(s.strategy.name for s in sleeves))
    bars = {symbol: data.bars for symbol, data in loaded.items()}
    return Simulated(result, fingerprint, source, strategies, bars, cfg)


def run_backtest_task(
    cfg: RunConfig,
    run_dir: Path,
    overrides: Sequence[str],
    worker: TrackingWorker | None = None,
    job_num: int | None = None,
) -> BacktestOutcome:
    """Run one backtest (one book or a weighted portfolio) end to end; MLflow calls go through ``worker``
    when given. Inside a sweep (``job_num`` set) the run is nested under the sweep's parent run.
    Raises PeakError subclasses for user-facing failures.
    """
    from peak.app.studies import check_task, run_study

    check_task(cfg)
    if isinstance(cfg.portfolio, WeightedPortfolioConfig):
        sim = _simulate_weighted(cfg, cfg.portfolio)
    else:
        sim = _simulate_single(cfg, cfg.portfolio, run_dir)
    cfg = sim.cfg
    result = sim.result
    lineage = _lineage(cfg, sim, overrides)
    write_results(run_dir, result)
    out = sim.before.merged(run_study(cfg, sim, run_dir))
    study = dict(out.metrics)
    if not cfg.tracking.enabled:
        write_json(run_dir / "run.json", _run_json(lineage, None, cfg, None))
        metrics = {**flat_run_metrics(result), **study}
        name = cfg.tracking.run_name or _run_name(lineage, job_num)
        write_run_reports(cfg, None, name, run_dir, flatten(cfg.model_dump(mode="json")), metrics,
                          {**lineage, **out.tags})
        return BacktestOutcome(result, run_dir, None, lineage, study, out.lines, out.tags)
    uri = resolve_uri(cfg.tracking.uri, project_root())
    tags = {
        **lineage,
        **process_tags(),
        **child_tags(job_num),
        **override_tags(list(overrides)),
        **out.tags,
        "mlflow.source.name": "peak-run",
        "mlflow.source.git.commit": lineage["peak.git_sha"],
    }
    name = cfg.tracking.run_name or _run_name(lineage, job_num)
    with start_run(uri, cfg.tracking.experiment, name, tags, worker) as run:
        write_json(run_dir / "run.json", _run_json(lineage, run.info.run_id, cfg, uri))
        params = flatten(cfg.model_dump(mode="json"))
        metrics = {**flat_run_metrics(result), **study}
        run.log(params=params, metrics=metrics)
        run.log_artifacts(run_dir)
        write_run_reports(cfg, run, name, run_dir, params, metrics, tags)
    return BacktestOutcome(result, run_dir, run.info.run_id, lineage, study, out.lines, out.tags)


def warm_up(cfg: RunConfig) -> None:
    """Load the data of ``cfg`` and run its backtest once without recording anything.

    Peak's launcher calls this before forking its workers: they inherit the loaded bars (see
    ``peak.data.load_bars``) and the numba kernels already loaded from numba's cache, which each worker
    would otherwise load again (about 1 s). Other tasks only load their data here. Errors are left for
    the jobs to report, with their own job number.
    """
    if isinstance(cfg.portfolio, WeightedPortfolioConfig):
        if cfg.task.name == "backtest":
            _simulate_weighted(cfg, cfg.portfolio)
        return
    if cfg.task.name == "backtest":
        _simulate_single(cfg, cfg.portfolio, Path("."))
    else:
        load_bars(cfg.data)
