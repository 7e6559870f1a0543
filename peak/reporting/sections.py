"""Sections every report shares: headline cards, the equity and drawdown charts, the composed config and
the lineage that makes a run reproducible (git SHA, config hash, data fingerprint, period, symbols)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from peak.metrics import METRIC_NAMES
from peak.reporting.charts import LineChart, Series
from peak.reporting.document import Cards, Code, Figure, Section, Table
from peak.reporting.equity import Curve, drawdown
from peak.reporting.formatting import fmt_metric
from peak.reporting.source import RunSource

HEADLINE = (
    ("total_return", "Total return"),
    ("cagr", "CAGR"),
    ("sharpe", "Sharpe"),
    ("sortino", "Sortino"),
    ("max_drawdown", "Max drawdown"),
    ("profit_factor", "Profit factor"),
    ("n_trades", "Trades"),
    ("win_rate", "Win rate"),
    ("exposure", "Exposure"),
    ("final_equity", "Final equity"),
)


def headline_cards(metrics: Mapping[str, float]) -> Cards:
    """The run's headline metrics as cards (``n/a`` when undefined)."""
    return Cards(tuple((label, fmt_metric(key, metrics.get(key))) for key, label in HEADLINE))


def metrics_table(metrics: Mapping[str, float], names: tuple[str, ...] = METRIC_NAMES) -> Table:
    """One row per metric of ``names``, in that order."""
    rows = tuple((name, fmt_metric(name, metrics.get(name))) for name in names)
    return Table(("metric", "value"), rows, numeric=(False, True))


def period_line(source: RunSource) -> str:
    """``BTC/USDT 1h · 2023-01-01 → 2024-04-18 · 11,356 bars · ma_crossover``."""
    t = source.tags
    start, end = t.get("peak.data_start", "")[:10], t.get("peak.data_end", "")[:10]
    bars = t.get("peak.n_bars", "")
    shown = f"{int(bars):,} bars" if bars.isdigit() else ""
    parts = [f"{t.get('peak.symbol', '')} {t.get('peak.timeframe', '')}".strip(), f"{start} → {end}", shown]
    parts.append(t.get("peak.strategy", ""))
    return " · ".join(p for p in parts if p and p != " → ")


def equity_figures(curve: Curve, title: str = "Equity") -> tuple[Figure, Figure]:
    """The account equity curve and its drawdown from the running peak."""
    equity = LineChart(title, (Series("equity", curve.ts, curve.equity),), y_format="money", y_title="equity")
    under = drawdown(curve.equity)
    dd = LineChart(
        "Drawdown",
        (Series("drawdown", curve.ts, under, fill=True),),
        y_format="pct",
        y_title="from peak",
        height=2.2,
    )
    low = float(under.min()) if under.size else 0.0
    return Figure(equity), Figure(dd, caption=f"deepest drawdown {fmt_metric('max_drawdown', -low)}")


def config_section(source: RunSource) -> Section:
    """The composed config (``.hydra/config.yaml``), or the logged params where the run has no such file
    (a sweep job's folder keeps no .hydra/)."""
    path = source.optional(".hydra/config.yaml")
    if path is not None:
        return Section("config", "Configuration", (Code(path.read_text(encoding="utf-8")),))
    rows = tuple((k, v) for k, v in sorted(source.params.items()))
    note = "the logged params (the run has no .hydra/config.yaml artifact)"
    return Section("config", "Configuration", (Table(("key", "value"), rows, note=note),))


def _when(ms: int | None) -> str:
    if ms is None:
        return ""
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


_LINEAGE_TAGS = (
    ("git SHA", "peak.git_sha"),
    ("config hash", "peak.config_hash"),
    ("data fingerprint", "peak.data_fingerprint"),
    ("data source", "peak.data_source"),
    ("period start", "peak.data_start"),
    ("period end", "peak.data_end"),
    ("bars", "peak.n_bars"),
    ("symbols", "peak.symbol"),
    ("timeframe", "peak.timeframe"),
    ("task", "peak.task"),
    ("portfolio", "peak.portfolio"),
    ("strategy", "peak.strategy"),
    ("overrides", "peak.overrides"),
    ("Peak version", "peak.version"),
    ("host", "peak.host"),
)


def lineage_section(source: RunSource) -> Section:
    """Run identity and the lineage tags, falling back to run.json for what the tags lack."""
    record = source.record
    run_json_path = source.optional("run.json")
    run_json: Mapping[str, object] = source.json("run.json") if run_json_path is not None else {}
    fallback = {
        "peak.git_sha": "git_sha",
        "peak.config_hash": "config_hash",
        "peak.data_fingerprint": "data_fingerprint",
        "peak.data_start": "data_start",
        "peak.data_end": "data_end",
        "peak.symbol": "symbol",
    }
    rows = [
        ("run id", record.run_id),
        ("run name", record.name),
        ("experiment", record.experiment),
        ("status", record.status),
        ("started", _when(record.start_ms)),
        ("ended", _when(record.end_ms)),
        ("artifacts", record.artifact_uri),
    ]
    for label, tag in _LINEAGE_TAGS:
        value = source.tags.get(tag) or str(run_json.get(fallback.get(tag, ""), "") or "")
        rows.append((label, value))
    shown = tuple((k, v) for k, v in rows if v)
    return Section("lineage", "Lineage", (Table(("field", "value"), shown),))
