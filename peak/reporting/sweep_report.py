"""The sweep report: a multirun's children (or a grid's cells) ranked by a metric, parameter heat maps,
sensitivity of the metric to each parameter, best against median, and the deflated Sharpe ratio and
PBO that say how much of the best result is selection luck."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from peak.core.errors import ConfigError
from peak.metrics import METRIC_NAMES
from peak.reporting.charts import Heatmap, LineChart, Series
from peak.reporting.document import Cards, Figure, Report, Section, Table, Text
from peak.reporting.formatting import fmt, fmt_metric, metric_format
from peak.reporting.run_report import footer, subtitle
from peak.reporting.sections import config_section, lineage_section
from peak.reporting.source import RunSource
from peak.reporting.trials import Trials

LOWER_IS_BETTER = frozenset({"max_drawdown"})
RANKED_ROWS_HTML = 2_000
"""Rows of the ranking in the HTML (a sweep's children all fit; a 10,000-cell grid is cut)."""
RANKED_ROWS_PRINTED = 60
MAX_HEATMAPS = 3
SHOWN_METRICS = ("sharpe", "total_return", "max_drawdown", "n_trades")


def label(value: object) -> str:
    """A parameter value as a short label: ``5.0`` → ``5``, ``0.25`` → ``0.25``."""
    if isinstance(value, float | np.floating):
        return str(int(value)) if float(value).is_integer() else f"{float(value):g}"
    return str(value)


def ranked(trials: Trials, metric: str) -> pd.DataFrame:
    """Finished trials best first by ``metric`` (undefined values last), then the others."""
    done = trials.finished.sort_values(
        [metric, "trial"], ascending=[metric in LOWER_IS_BETTER, True], na_position="last", kind="stable"
    )
    return pd.concat([done, trials.frame[trials.frame["status"] != "FINISHED"]])


def _ranking(trials: Trials, metric: str, order: pd.DataFrame) -> Table:
    shown_metrics = tuple(dict.fromkeys((metric, *SHOWN_METRICS)))
    lead = ("rank", "job" if trials.kind == "sweep" else "cell")
    all_finished = bool((order["status"] == "FINISHED").all())
    tail = (("run id",) if all_finished else ("status", "run id")) if trials.kind == "sweep" else ()
    columns = (*lead, *trials.params, *shown_metrics, *tail)
    rows = []
    for rank, values in enumerate(order.head(RANKED_ROWS_HTML).to_dict("records"), start=1):
        finished = values["status"] == "FINISHED"
        cells = [str(rank) if finished else "", str(values["trial"])]
        cells += [label(values[p]) for p in trials.params]
        cells += [fmt_metric(m, values[m]) if finished else "" for m in shown_metrics]
        cells += [str(values[c.replace("run id", "run_id")]) for c in tail]
        rows.append(tuple(cells))
    n = len(order)
    cut = f"the best {RANKED_ROWS_HTML:,} of {n:,} trials" if n > RANKED_ROWS_HTML else ""
    numbers = {p for p in trials.params if pd.api.types.is_numeric_dtype(trials.frame[p])}
    numeric = tuple(c in ("rank", "job", "cell", *shown_metrics, *numbers) for c in columns)
    return Table(
        columns,
        tuple(rows),
        title=f"Trials ranked by {metric}",
        note=cut,
        numeric=numeric,
        row_classes=("best",) + ("",) * (len(rows) - 1) if rows else (),
        print_rows=RANKED_ROWS_PRINTED,
        print_note=f"the best {RANKED_ROWS_PRINTED} of {n:,} trials; the HTML report lists "
        + (
            "every child with its run id"
            if trials.kind == "sweep"
            else "the rest; results.csv holds them all"
        ),
    )


def _best_vs_median(trials: Trials, best: pd.Series) -> Table:
    done = trials.finished
    rows = []
    for m in METRIC_NAMES:
        median = float(done[m].median()) if done[m].notna().any() else None
        value = best[m]
        delta = None if median is None or pd.isna(value) else float(value) - median
        rows.append((m, fmt_metric(m, value), fmt_metric(m, median), fmt_metric(m, delta)))
    return Table(
        ("metric", "best trial", "median trial", "best − median"),
        tuple(rows),
        numeric=(False, True, True, True),
    )


def _agg(metric: str) -> str:
    return "min" if metric in LOWER_IS_BETTER else "max"


def _heatmaps(trials: Trials, metric: str) -> list[Figure]:
    done = trials.finished
    varied = [p for p in trials.params if done[p].nunique() > 1]
    figures = []
    for x, y in itertools.islice(itertools.combinations(varied, 2), MAX_HEATMAPS):
        table = done.pivot_table(index=y, columns=x, values=metric, aggfunc=_agg(metric))
        others = [p for p in varied if p not in (x, y)]
        caption = f"{_agg(metric)} of {metric} over {', '.join(others)}" if others else ""
        chart = Heatmap(
            f"{metric} by {x} and {y}",
            tuple(label(v) for v in table.columns),
            tuple(label(v) for v in table.index),
            table.to_numpy(dtype=np.float64),
            value_format=metric_format(metric),
            x_title=x,
            y_title=y,
        )
        figures.append(Figure(chart, caption=caption))
    return figures


def _sensitivity(trials: Trials, metric: str) -> list[Figure]:
    """Per swept parameter: the best, median and worst ``metric`` at each of its values, over every
    combination of the other parameters, with each trial as a dot."""
    done = trials.finished.dropna(subset=[metric])
    figures = []
    for param in trials.params:
        if done[param].nunique() < 2:
            continue
        stats = done.groupby(param, sort=True)[metric].agg(["max", "median", "min"])
        numeric = pd.api.types.is_numeric_dtype(done[param])
        if numeric:
            x, labels, dots = stats.index.to_numpy(dtype=np.float64), (), done[param].to_numpy(np.float64)
        else:
            position = {v: i for i, v in enumerate(stats.index)}
            x, labels = np.arange(len(stats), dtype=np.float64), tuple(str(v) for v in stats.index)
            dots = done[param].map(position).to_numpy(np.float64)
        series = (
            Series("trials", dots, done[metric].to_numpy(np.float64), mode="markers"),
            Series("best", x, stats["max"].to_numpy(np.float64), mode="lines+markers"),
            Series("median", x, stats["median"].to_numpy(np.float64), mode="lines+markers"),
            Series("worst", x, stats["min"].to_numpy(np.float64), mode="lines+markers"),
        )
        chart = LineChart(
            f"{metric} by {param}",
            series,
            y_format=metric_format(metric),
            y_title=metric,
            x_title=param,
            x_labels=labels,
            height=2.6,
        )
        figures.append(Figure(chart))
    return figures


def _overfitting(trials: Trials) -> Table:
    n = len(trials.finished)
    rows = (
        (
            "deflated Sharpe ratio",
            fmt(trials.deflated_sharpe, "prob"),
            f"probability that the best trial's Sharpe beats the best of {n:,} skill-less trials; "
            "near 1 is evidence of skill, below 0.95 is not",
        ),
        (
            "PBO",
            fmt(trials.pbo, "prob"),
            "probability of backtest overfitting (CSCV, 16 blocks): the share of splits whose in-sample "
            "winner ranks in the lower half out of sample; near 0 is good, 0.5 is a coin flip",
        ),
    )
    return Table(("statistic", "value", "meaning"), rows, title="Overfitting", numeric=(False, True, False))


def _summary(trials: Trials, metric: str, best: pd.Series) -> Section:
    done = trials.finished
    failed = len(trials.frame) - len(done)
    params = " ".join(f"{p}={label(best[p])}" for p in trials.params)
    who = f"job {best['trial']} (run {best['run_id']})" if trials.kind == "sweep" else f"cell {best['trial']}"
    cards = Cards(
        (
            ("Trials", f"{len(trials.frame):,}"),
            ("Failed", f"{failed:,}"),
            (f"Best {metric}", fmt_metric(metric, best[metric])),
            (f"Median {metric}", fmt_metric(metric, done[metric].median())),
            ("Deflated Sharpe", fmt(trials.deflated_sharpe, "prob")),
            ("PBO", fmt(trials.pbo, "prob")),
        )
    )
    fixed = " ".join(f"{k}={v}" for k, v in trials.fixed.items())
    text = Text(f"Best by {metric}: {who}: {params}." + (f" Every trial ran with {fixed}." if fixed else ""))
    return Section("summary", "Summary", (cards, text, _overfitting(trials)))


def build_sweep_report(source: RunSource, trials: Trials, metric: str = "sharpe") -> Report:
    """The sweep report of ``source`` (a multirun's parent or a task=grid run) ranked by ``metric``.

    Example: ``build_sweep_report(parent, sweep_trials(parent, children), "sortino")``.
    """
    if metric not in METRIC_NAMES:
        raise ConfigError(f"cannot rank by {metric!r}; choose one of {', '.join(METRIC_NAMES)}")
    if trials.finished.empty:
        raise ConfigError(f"run {source.run_id} has no finished trial to report ({len(trials.frame)} in all)")
    order = ranked(trials, metric)
    best = order.iloc[0]
    heat = _heatmaps(trials, metric)
    sections = [
        _summary(trials, metric, best),
        Section("ranking", "Ranking", (_ranking(trials, metric, order),)),
        Section("best", "Best against median", (_best_vs_median(trials, best),)),
        Section(
            "heatmaps",
            "Parameter heat maps",
            tuple(heat) or (Text("Fewer than two parameters vary: no heat map.", tone="note"),),
        ),
        Section(
            "sensitivity",
            "Sensitivity",
            tuple(_sensitivity(trials, metric)) or (Text("No parameter varies.", tone="note"),),
        ),
    ]
    if trials.kind == "grid":
        sections.append(config_section(source))
    sections.append(lineage_section(source))
    title = (
        "Sweep report" if trials.kind == "sweep" else f"Grid report: {source.tags.get('peak.strategy', '')}"
    )
    return Report("sweep", source.run_id, title, subtitle(source), tuple(sections), footer(source))
