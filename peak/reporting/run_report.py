"""The run report: one backtest or portfolio run, everything a reviewer needs to judge it."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

import peak
from peak.core.timeframe import Timeframe
from peak.reporting.charts import Heatmap, Histogram
from peak.reporting.document import Figure, Report, Section, Table, Text
from peak.reporting.equity import MONTHS, Curve, monthly_table, read_curve, return_distribution
from peak.reporting.formatting import fmt, fmt_duration
from peak.reporting.sections import (
    config_section,
    equity_figures,
    headline_cards,
    lineage_section,
    metrics_table,
    period_line,
)
from peak.reporting.sleeves import sleeves_section
from peak.reporting.source import RunSource
from peak.reporting.trades import read_trades, trade_stats

TRADE_ROWS_PRINTED = 40
"""Trades the PDF and Markdown list (the most recent; a table row costs weasyprint ~20 ms); the HTML lists
up to ``TRADE_ROWS_HTML``."""
TRADE_ROWS_HTML = 5_000


def footer(source: RunSource) -> str:
    """``Peak 0.1.0 · generated 2026-01-02 10:00 UTC from run 0189... in <store>``."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"Peak {peak.__version__} · generated {now} from run {source.run_id} ({source.where})"


def subtitle(source: RunSource) -> str:
    """``run 0189... · backtest ma_crossover BTC/USDT 1h · experiment peak · FINISHED``."""
    r = source.record
    return " · ".join(p for p in (f"run {r.run_id}", r.name, f"experiment {r.experiment}", r.status) if p)


def _monthly(curve: Curve) -> Figure:
    years, grid, totals = monthly_table(curve)
    chart = Heatmap(
        "Monthly returns",
        MONTHS,
        years,
        grid,
        value_format="pct",
        x_title="month",
        y_title="year",
        diverging=True,
    )
    rows = tuple(
        (year, *(fmt(v, "pct") if not np.isnan(v) else "" for v in grid[i]), fmt(totals[i], "pct"))
        for i, year in enumerate(years)
    )
    table = Table(("year", *MONTHS, "year total"), rows, numeric=(False, *(True,) * 13))
    return Figure(chart, table=table)


def _distribution(curve: Curve, timeframe: str) -> tuple[Figure, Table]:
    d = return_distribution(curve, Timeframe.parse(timeframe).ns)
    chart = Histogram(f"Distribution of {d.label} returns", d.returns, x_title=f"{d.label} return")
    rows = (
        ("observations", fmt(d.returns.size, "int")),
        ("mean", fmt(d.mean, "pct")),
        ("standard deviation", fmt(d.std, "pct")),
        ("skew", fmt(d.skew)),
        ("excess kurtosis", fmt(d.kurtosis)),
        ("best", fmt(d.best, "pct")),
        ("worst", fmt(d.worst, "pct")),
        ("positive share", fmt(d.positive_share, "pct")),
    )
    return Figure(chart), Table(("statistic", "value"), rows, numeric=(False, True))


def _stats_table(trades: pd.DataFrame) -> Table:
    s = trade_stats(trades)
    rows = (
        ("trades", fmt(s.count, "int")),
        ("wins / losses", f"{s.wins:,} / {s.losses:,}"),
        ("win rate", fmt(s.win_rate, "pct")),
        ("average win", f"{fmt(s.avg_win, 'pct')} ({fmt(s.avg_win_pnl, 'money')})"),
        ("average loss", f"{fmt(s.avg_loss, 'pct')} ({fmt(s.avg_loss_pnl, 'money')})"),
        ("payoff ratio (avg win / avg loss)", fmt(s.payoff)),
        ("best / worst trade", f"{fmt(s.best, 'pct')} / {fmt(s.worst, 'pct')}"),
        ("longest winning streak", fmt(s.longest_win_streak, "int")),
        ("longest losing streak", fmt(s.longest_loss_streak, "int")),
        (
            "holding time: mean / median / max",
            " / ".join(map(fmt_duration, (s.avg_hold_h, s.median_hold_h, s.max_hold_h))),
        ),
        ("fees paid", fmt(s.fees, "money")),
    )
    return Table(("statistic", "value"), rows, title="Trade statistics", numeric=(False, True))


def _trade_rows(trades: pd.DataFrame) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """The trade table's columns and formatted rows, in exit order."""
    lead = [c for c in ("sleeve", "symbol") if c in trades.columns]
    held = (trades["exit_time"] - trades["entry_time"]).dt.total_seconds().to_numpy() / 3600.0
    units = trades["units"].to_numpy() if "units" in trades.columns else np.ones(len(trades))
    cells = [
        *(trades[c].astype(str).tolist() for c in lead),
        trades["entry_time"].dt.strftime("%Y-%m-%d %H:%M").tolist(),
        trades["exit_time"].dt.strftime("%Y-%m-%d %H:%M").tolist(),
        ["long" if u >= 0 else "short" for u in units],
        [fmt(v) for v in trades["entry_price"].tolist()],
        [fmt(v) for v in trades["exit_price"].tolist()],
        [fmt(v, "money") for v in trades["pnl"].tolist()],
        [fmt(v, "pct") for v in trades["return"].tolist()],
        [fmt_duration(h) for h in held.tolist()],
    ]
    columns = (*lead, "entry", "exit", "side", "entry price", "exit price", "pnl", "return", "held")
    return columns, tuple(zip(*cells, strict=True))


def _trades_section(source: RunSource) -> Section:
    trades = read_trades(source.file("trades.csv")).sort_values("exit_time", kind="stable")
    if trades.empty:
        return Section("trades", "Trades", (Text("The run closed no trades."),))
    shown = trades.iloc[-TRADE_ROWS_HTML:]
    columns, rows = _trade_rows(shown)
    total = len(trades)
    note = "" if total == len(shown) else f"the {len(shown):,} most recent of {total:,} trades"
    table = Table(
        columns,
        rows,
        title="Closed trades",
        note=note + ("; " if note else "") + "every trade is in the run's trades.csv artifact",
        numeric=tuple(c in ("entry price", "exit price", "pnl", "return", "held") for c in columns),
        print_rows=TRADE_ROWS_PRINTED,
        print_from_end=True,
        print_note=f"the {TRADE_ROWS_PRINTED} most recent of {total:,} trades (all of them in the HTML)",
    )
    return Section("trades", "Trades", (_stats_table(trades), table))


def _performance(source: RunSource, curve: Curve) -> tuple[Section, ...]:
    equity, dd = equity_figures(curve)
    timeframe = source.tags.get("peak.timeframe") or "1h"
    histogram, moments = _distribution(curve, timeframe)
    return (
        Section("equity", "Equity and drawdown", (equity, dd)),
        Section("monthly", "Monthly returns", (_monthly(curve),)),
        Section("distribution", "Return distribution", (histogram, moments)),
    )


def run_sections(source: RunSource) -> tuple[Section, ...]:
    """Every section of the run report, in order (the robustness report reuses the first ones)."""
    curve = read_curve(source.file("equity.parquet"))
    summary = Section(
        "summary",
        "Summary",
        (Text(period_line(source)), headline_cards(source.metrics), metrics_table(source.metrics)),
    )
    sleeves = sleeves_section(source, curve)
    return (
        summary,
        *_performance(source, curve),
        _trades_section(source),
        *((sleeves,) if sleeves is not None else ()),
        config_section(source),
        lineage_section(source),
    )


def build_run_report(source: RunSource) -> Report:
    """The run report of ``source``. Example: ``build_run_report(load_run(uri, run_id))``."""
    name = source.tags.get("peak.strategy", "")
    title = f"Run report: {name}" if name else "Run report"
    return Report("run", source.run_id, title, subtitle(source), run_sections(source), footer(source))
