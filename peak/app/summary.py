"""The few lines ``peak-run`` prints when a backtest finishes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from peak.app.backtest_task import BacktestOutcome

_PERCENT = {"total_return", "cagr", "max_drawdown", "win_rate", "exposure", "avg_trade_return"}


def _fmt(name: str, value: float | int | None) -> str:
    if value is None:
        return "n/a"
    if name in _PERCENT:
        return f"{value:.2%}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.4f}" if abs(value) < 1000 else f"{value:,.2f}"


_SLEEVE_METRICS = ("total_return", "sharpe", "max_drawdown", "n_trades")


def _sleeve_lines(outcome: BacktestOutcome) -> list[str]:
    result = outcome.result
    lines = []
    for sleeve in result.sleeves:
        shown = "  ".join(f"{k}={_fmt(k, sleeve.metrics.get(k))}" for k in _SLEEVE_METRICS)
        lines.append(
            f"  sleeve {sleeve.name} ({sleeve.strategy} on {sleeve.symbol}, "
            f"weight {sleeve.weight:g}): {shown}"
        )
    return lines


def format_summary(outcome: BacktestOutcome) -> str:
    """Headline metrics (and one line per sleeve for a portfolio), the run folder and the MLflow run id."""
    lin = outcome.lineage
    what = (
        f"portfolio of {len(outcome.result.sleeves)} sleeves"
        if outcome.result.sleeves
        else f"backtest {lin['peak.strategy']}"
    )
    head = (
        f"{what} on {lin['peak.symbol']} {lin['peak.timeframe']}: "
        f"{lin['peak.n_bars']} bars {lin['peak.data_start']} .. {lin['peak.data_end']}"
    )
    metrics = "  ".join(f"{k}={_fmt(k, v)}" for k, v in outcome.result.metrics.items())
    lines = [head, metrics, *_sleeve_lines(outcome), *outcome.study_lines, f"run dir: {outcome.run_dir}"]
    lines.append(f"mlflow run: {outcome.run_id}" if outcome.run_id else "mlflow: tracking disabled")
    return "\n".join(lines)
