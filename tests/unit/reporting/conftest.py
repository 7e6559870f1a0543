"""A real backtest for the report tests: MA crossover on a slice of the bundled BTC/USDT 1h sample,
written into a run folder exactly as peak-run writes it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from peak.backtest import run_backtest
from peak.core.bars import Bars
from peak.core.results import RunResult
from peak.data.timestamps import iso
from peak.execution.config import ExecutionConfig
from peak.portfolio.config import PortfolioConfig
from peak.reporting.source import RunSource, folder_source
from peak.risk.config import RiskConfig
from peak.strategies.config import MACrossoverConfig
from peak.tracking.lineage import flatten
from peak.tracking.run_dir import write_json, write_results
from tests.support.bars import load_shared_bars
from tests.support.cli import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "peak" / "data" / "sample"


def sample_slice(start: int = 3000, stop: int = 6000, symbol: str = "BTCUSDT") -> Bars:
    """Bars ``start:stop`` of the bundled hourly sample (real Binance bars from 2023)."""
    bars = load_shared_bars(SAMPLE, symbol, "1h")
    fields = {
        n: getattr(bars, n)[start:stop].copy() for n in ("ts", "open", "high", "low", "close", "volume")
    }
    return Bars(symbol="BTC/USDT", timeframe=bars.timeframe, source=bars.source, **fields)


def backtest(bars: Bars, fast: int = 10, slow: int = 40) -> tuple[RunResult, dict[str, Any]]:
    """A real backtest and the config sections it ran with (as the composed config holds them)."""
    config = {
        "strategy": MACrossoverConfig(fast=fast, slow=slow),
        "execution": ExecutionConfig(),
        "portfolio": PortfolioConfig(),
        "risk": RiskConfig(),
    }
    result = run_backtest(bars, data_fingerprint="sha256:sample-slice", **config)
    return result, {k: v.model_dump(mode="json") for k, v in config.items()}


@dataclass(frozen=True)
class FolderRun:
    """A run folder with its result and the report source over it."""

    folder: Path
    result: RunResult
    source: RunSource


def _lineage(bars: Bars) -> dict[str, str]:
    return {
        "peak.task": "backtest",
        "peak.strategy": "ma_crossover",
        "peak.symbol": bars.symbol,
        "peak.timeframe": str(bars.timeframe),
        "peak.data_start": iso(int(bars.ts[0])),
        "peak.data_end": iso(int(bars.ts[-1])),
        "peak.n_bars": str(len(bars.ts)),
        "peak.config_hash": "c" * 64,
        "peak.data_fingerprint": "sha256:sample-slice",
        "peak.git_sha": "0123abc",
    }


@pytest.fixture(scope="session")
def folder_run(tmp_path_factory: pytest.TempPathFactory) -> FolderRun:
    """MA crossover 10/40 on 3,000 real hourly bars, in a run folder with .hydra/config.yaml."""
    bars = sample_slice()
    result, config = backtest(bars)
    folder = tmp_path_factory.mktemp("run")
    write_results(folder, result)
    write_json(folder / "run.json", {"mlflow_run_id": "f" * 32, "symbol": bars.symbol})
    (folder / ".hydra").mkdir()
    (folder / ".hydra" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    metrics = {k: float(v) for k, v in result.metrics.items() if v is not None}
    source = folder_source(
        folder, "f" * 32, "peak", "backtest ma_crossover", flatten(config), metrics, _lineage(bars)
    )
    return FolderRun(folder, result, source)
