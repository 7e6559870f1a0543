"""How a value is shown in a report: percentages, ratios, counts and money, chosen by metric name."""

from __future__ import annotations

import math
from typing import Literal

ValueFormat = Literal["pct", "num", "int", "money", "prob"]
"""``pct`` 12.34 %, ``num`` 1.2345, ``int`` 1,234, ``money`` 12,345.67, ``prob`` 0.953."""

_KINDS: dict[str, ValueFormat] = {
    **dict.fromkeys(
        (
            "total_return",
            "cagr",
            "max_drawdown",
            "win_rate",
            "exposure",
            "avg_trade_return",
            "final_return",
            "ruin_probability",
            "mode_share",
        ),
        "pct",
    ),
    **dict.fromkeys(
        ("sharpe", "sortino", "profit_factor", "efficiency", "cv", "corr_mean", "corr_max"), "num"
    ),
    **dict.fromkeys(
        ("n_trades", "folds", "jobs", "finished", "failed", "trials", "cells", "evaluated"), "int"
    ),
    **dict.fromkeys(("skipped", "n_bars"), "int"),
    "final_equity": "money",
    **dict.fromkeys(("deflated_sharpe", "pbo"), "prob"),
}


def metric_format(name: str) -> ValueFormat:
    """The format of a metric from the last known part of its dotted name: ``mc.max_drawdown.p95`` →
    ``pct``, ``stress.gap.delta_sharpe`` → ``num``; unknown names → ``num``."""
    for part in reversed(name.split(".")):
        part = part.removeprefix("delta_")
        if part in _KINDS:
            return _KINDS[part]
    return "num"


def fmt(value: object, kind: ValueFormat = "num") -> str:
    """``fmt(0.1234, "pct")`` → ``12.34%``; None and NaN → ``n/a``; infinities → ``∞``/``-∞``."""
    if value is None or isinstance(value, str):
        return "n/a" if value is None else value
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number):
        return "n/a"
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if kind == "pct":
        return f"{number:.2%}"
    if kind == "int":
        return f"{number:,.0f}"
    if kind == "money":
        return f"{number:,.2f}"
    if kind == "prob":
        return f"{number:.3f}"
    if abs(number) >= 1000:
        return f"{number:,.2f}"
    return f"{number:.3g}" if number != 0 and abs(number) < 1e-3 else f"{number:.4f}"


def fmt_metric(name: str, value: object) -> str:
    """``fmt_metric("sharpe", 1.19356)`` → ``1.1936``; ``fmt_metric("win_rate", 0.32)`` → ``32.00%``."""
    return fmt(value, metric_format(name))


def fmt_duration(hours: float | None) -> str:
    """``fmt_duration(30.0)`` → ``1d 6h``; ``fmt_duration(0.5)`` → ``30m``."""
    if hours is None or math.isnan(hours):
        return "n/a"
    minutes = round(hours * 60)
    days, rest = divmod(minutes, 1440)
    hrs, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hrs}h" if hrs else "", f"{mins}m" if mins and not days else ""]
    return " ".join(p for p in parts if p) or "0m"
