"""The per-sleeve breakdown of a portfolio run: each sleeve's metrics, equity curve and the correlation
of their per-bar P&L (from sleeves.json and the ``equity.<sleeve>`` columns of equity.parquet)."""

from __future__ import annotations

import numpy as np

from peak.reporting.charts import LineChart, Series
from peak.reporting.document import Figure, Section, Table
from peak.reporting.equity import Curve
from peak.reporting.formatting import fmt, fmt_metric
from peak.reporting.source import RunSource

SLEEVE_METRICS = ("total_return", "sharpe", "max_drawdown", "profit_factor", "n_trades", "win_rate")


def _metric(value: object) -> float | None:
    """sleeves.json spells non-finite values as strings (``"inf"``)."""
    if value is None:
        return None
    return float(value)  # type: ignore[arg-type]


def _sleeve_table(sleeves: dict[str, dict[str, object]]) -> Table:
    rows = []
    for name, s in sleeves.items():
        metrics = s.get("metrics") if isinstance(s.get("metrics"), dict) else {}
        values = (fmt_metric(m, _metric(metrics.get(m))) for m in SLEEVE_METRICS)
        rows.append(
            (name, str(s.get("symbol", "")), str(s.get("strategy", "")), fmt(s.get("weight"), "pct"), *values)
        )
    columns = ("sleeve", "symbol", "strategy", "weight", *SLEEVE_METRICS)
    return Table(columns, tuple(rows), numeric=(False, False, False, *(True,) * (1 + len(SLEEVE_METRICS))))


def _correlation(payload: dict[str, object]) -> Table | None:
    corr = payload.get("correlation")
    if not isinstance(corr, dict) or not corr.get("sleeves"):
        return None
    names = [str(n) for n in corr["sleeves"]]
    rows = tuple((n, *(fmt(v, "num") for v in row)) for n, row in zip(names, corr["matrix"], strict=True))
    return Table(
        ("", *names),
        rows,
        title="Correlation of sleeve P&L",
        note=str(corr.get("measure", "")),
        numeric=(False, *(True,) * len(names)),
    )


def sleeves_section(source: RunSource, curve: Curve) -> Section | None:
    """The breakdown, or None for a single-book run (no sleeves.json)."""
    path = source.optional("sleeves.json")
    if path is None:
        return None
    payload = source.json("sleeves.json")
    sleeves = payload.get("sleeves") or {}
    blocks: list[Table | Figure] = [_sleeve_table(sleeves)]
    series = tuple(
        Series(name, curve.ts, curve.frame[f"equity.{name}"].to_numpy(dtype=np.float64))
        for name in curve.sleeves
    )
    if series:
        blocks.append(Figure(LineChart("Sleeve equity", series, y_format="money", y_title="equity")))
    corr = _correlation(payload)
    if corr is not None:
        blocks.append(corr)
    return Section("sleeves", "Sleeves", tuple(blocks))
