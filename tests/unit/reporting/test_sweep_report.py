"""The sweep report over real backtests logged as a sweep's children: ranking, run ids, heat map,
sensitivity, best against median; and the grid and wrong-run cases."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import numpy as np
import pytest

from peak.core.errors import ConfigError
from peak.reporting.markdown import render_markdown
from peak.reporting.source import load_run
from peak.reporting.sweep_report import build_sweep_report, ranked
from peak.reporting.trials import load_trials
from peak.tracking.direct_store import create_direct_run
from peak.tracking.mlflow_run import create_run
from peak.tracking.read import PARENT_TAG
from peak.tracking.run_dir import flat_run_metrics
from tests.unit.reporting.conftest import backtest, sample_slice

FAST, SLOW = (5, 10, 20), (50, 100)


@pytest.fixture(scope="module")
def sweep(mlflow_template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str, dict]:
    """A parent run with one child per (fast, slow) backtested on real bars, plus a failed job."""
    db = tmp_path_factory.mktemp("sweep") / "mlflow.db"
    shutil.copyfile(mlflow_template_db, db)
    uri = f"sqlite:///{db}"
    create_run(uri, "peak", "creates the experiment", {}).finish("FINISHED")
    parent = create_direct_run(uri, "peak", "sweep", {"peak.sweep_role": "parent"})
    parent.log(params={"sweep.strategy.fast": "5,10,20", "sweep.strategy.slow": "50,100"})
    bars, sharpe = sample_slice(0, 2500), {}
    for job, (fast, slow) in enumerate(itertools.product(FAST, SLOW)):
        tags = {
            PARENT_TAG: parent.info.run_id,
            "peak.sweep_job": str(job),
            "peak.sweep_role": "child",
            "peak.override.strategy.fast": str(fast),
            "peak.override.strategy.slow": str(slow),
        }
        child = create_direct_run(uri, "peak", f"job {job}", tags)
        result, _ = backtest(bars, fast, slow)
        child.log(
            params={"strategy.fast": str(fast), "strategy.slow": str(slow)}, metrics=flat_run_metrics(result)
        )
        child.finish("FINISHED")
        sharpe[child.info.run_id] = (fast, slow, result.metrics["sharpe"])
    failed = create_direct_run(
        uri,
        "peak",
        "job 6",
        {
            PARENT_TAG: parent.info.run_id,
            "peak.sweep_job": "6",
            "peak.override.strategy.fast": "300",
            "peak.override.strategy.slow": "50",
        },
    )
    failed.finish("FAILED", "ConfigError: slow must be above fast")
    parent.finish("FAILED")
    return uri, parent.info.run_id, sharpe


def test_sweep_report_when_children_then_ranked_by_sharpe_with_every_run_id(sweep: tuple) -> None:
    uri, parent_id, sharpe = sweep
    source = load_run(uri, parent_id)
    trials = load_trials(uri, source)
    assert trials.params == ("strategy.fast", "strategy.slow") and len(trials.frame) == 7
    order = ranked(trials, "sharpe")
    assert list(order["run_id"][:6]) == sorted(sharpe, key=lambda r: -sharpe[r][2])
    assert order.iloc[-1]["status"] == "FAILED"
    md = render_markdown(build_sweep_report(source, trials))
    assert all(run_id in md for run_id in sharpe)
    best = max(sharpe.values(), key=lambda v: v[2])
    assert f"strategy.fast={best[0]} strategy.slow={best[1]}" in md
    assert "| Deflated Sharpe | n/a |" in md and "| Failed | 1 |" in md


def test_sweep_report_when_two_params_then_heat_map_of_real_sharpes_and_sensitivity(sweep: tuple) -> None:
    uri, parent_id, sharpe = sweep
    source = load_run(uri, parent_id)
    report = build_sweep_report(source, load_trials(uri, source))
    [heat] = next(s for s in report.sections if s.key == "heatmaps").blocks
    assert heat.chart.x_labels == ("5", "10", "20") and heat.chart.y_labels == ("50", "100")
    expected = np.array(
        [[next(v[2] for v in sharpe.values() if v[:2] == (f, s)) for f in FAST] for s in SLOW]
    )
    np.testing.assert_allclose(heat.chart.z, expected)
    assert len(next(s for s in report.sections if s.key == "sensitivity").blocks) == 2


def test_sweep_report_when_metric_unknown_or_run_not_a_sweep_then_config_error(sweep: tuple) -> None:
    uri, parent_id, sharpe = sweep
    source = load_run(uri, parent_id)
    with pytest.raises(ConfigError, match="cannot rank by 'sharp'; choose one of final_equity"):
        build_sweep_report(source, load_trials(uri, source), "sharp")
    child = load_run(uri, next(iter(sharpe)))
    with pytest.raises(ConfigError, match=f"run {child.run_id} is a task=backtest run, not a sweep"):
        load_trials(uri, child)


def test_sweep_report_when_grid_run_then_cells_ranked_by_metric_from_results_csv(tmp_path: Path) -> None:
    from peak.app.grid_task import grid_search
    from peak.app.task_config import GridTask
    from peak.execution.config import ExecutionConfig
    from peak.portfolio.config import PortfolioConfig
    from peak.reporting.source import folder_source
    from peak.research.grid import Book
    from peak.risk.config import RiskConfig
    from peak.strategies.config import MACrossoverConfig

    task = GridTask(grid={"fast": [5, 10, 20], "slow": [50, 100]}, workers=1)
    book = Book(ExecutionConfig(), PortfolioConfig(), RiskConfig())
    _, out = grid_search(task, sample_slice(0, 2500), MACrossoverConfig(), book, tmp_path)
    metrics = {k: float(v) for k, v in out.metrics.items() if v is not None}
    source = folder_source(tmp_path, "g" * 32, "peak", "grid", {}, metrics, {"peak.task": "grid", **out.tags})
    trials = load_trials("unused://", source)
    assert trials.params == ("fast", "slow") and len(trials.frame) == 6
    md = render_markdown(build_sweep_report(source, trials, "sortino"))
    assert "**Trials ranked by sortino**" in md
    assert "| rank | cell | fast | slow | sortino | sharpe |" in md  # cells have no run id or status
    assert f"| Deflated Sharpe | {metrics['grid.deflated_sharpe']:.3f} |" in md
    best = trials.frame.sort_values("sortino", ascending=False).iloc[0]
    assert f"cell {best['trial']}: fast={best['fast']} slow={best['slow']}." in md
