"""The robustness report's study sections, each from the artifact its task writes: the Go/No-Go gate
(gate.json), walk-forward (walk_forward.json, walk_forward_oos.parquet), Monte-Carlo (monte_carlo.json)
and stress (stress.json)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from peak.reporting.charts import Band, LineChart, Series
from peak.reporting.document import Block, Cards, Figure, Section, Table, Text
from peak.reporting.equity import Curve, read_curve
from peak.reporting.formatting import fmt, fmt_metric
from peak.reporting.source import RunSource

FOLD_METRICS = ("sharpe", "total_return", "max_drawdown", "n_trades")


def _num(value: Any) -> float | None:
    """A JSON metric (strict JSON spells infinities ``"inf"``) as a float, None when undefined."""
    return None if value is None else float(value)


def gate_section(source: RunSource) -> Section:
    """The verdict as a banner, then every criterion: its rule, the value, PASS or FAIL and why."""
    gate = source.json("gate.json")
    criteria: Sequence[Mapping[str, Any]] = gate.get("criteria", [])
    passed = sum(1 for c in criteria if c.get("passed"))
    verdict = str(gate.get("verdict", source.tags.get("peak.verdict", "NO-GO")))
    banner = Text(
        f"{verdict}: gate {gate.get('gate', '')} passed {passed} of {len(criteria)} criteria",
        tone="go" if verdict == "GO" else "no-go",
    )
    rows, classes = [], []
    for c in criteria:
        metric = str(c["metric"])
        bound = (
            f">= {fmt_metric(metric, c['min'])}"
            if c.get("min") is not None
            else f"<= {fmt_metric(metric, c['max'])}"
        )
        value = c.get("value")
        shown = "undefined (no value)" if value is None else fmt_metric(metric, _num(value))
        ok = bool(c.get("passed"))
        rows.append(
            (str(c["name"]), f"{metric} {bound}", shown, "PASS" if ok else "FAIL", str(c.get("why", "")))
        )
        classes.append("pass" if ok else "fail")
    table = Table(
        ("criterion", "rule", "value", "result", "why"),
        tuple(rows),
        numeric=(False, False, True, False, False),
        row_classes=tuple(classes),
        note="A criterion whose metric is undefined fails: the gate never passes on missing evidence.",
    )
    return Section("verdict", "Go/No-Go verdict", (banner, table))


def _fold_rows(folds: Sequence[Mapping[str, Any]]) -> tuple[tuple[str, ...], ...]:
    rows = []
    for f in folds:
        params = " ".join(f"{k}={v}" for k, v in (f.get("params") or {}).items()) or "configured"
        is_m, oos_m = f.get("in_sample_metrics", {}), f.get("out_of_sample_metrics", {})
        rows.append(
            (
                str(f["fold"]),
                str(f["in_sample_start"])[:10],
                f"{str(f['out_of_sample_start'])[:10]} → {str(f['out_of_sample_end'])[:10]}",
                params,
                fmt_metric("sharpe", _num(is_m.get("sharpe"))),
                *(fmt_metric(m, _num(oos_m.get(m))) for m in FOLD_METRICS),
            )
        )
    return tuple(rows)


def walk_forward_section(source: RunSource) -> Section:
    """Per-fold in-sample and out-of-sample results, the stitched out-of-sample curve and efficiency."""
    wf = source.json("walk_forward.json")
    folds = wf.get("folds", [])
    oos = wf.get("oos", {})
    cards = Cards(
        (
            ("Folds", str(len(folds))),
            ("OOS Sharpe", fmt_metric("sharpe", _num(oos.get("sharpe")))),
            ("OOS total return", fmt_metric("total_return", _num(oos.get("total_return")))),
            ("OOS max drawdown", fmt_metric("max_drawdown", _num(oos.get("max_drawdown")))),
            ("Efficiency", fmt(_num(wf.get("efficiency")))),
        )
    )
    mode = "re-optimised on each in-sample window" if wf.get("mode") == "optimise" else "fixed parameters"
    text = Text(
        f"{wf.get('scheme', '')} walk-forward, {mode}. Efficiency = out-of-sample Sharpe / mean in-sample "
        "Sharpe (n/a when the mean in-sample Sharpe is not positive)."
    )
    columns = ("fold", "IS start", "OOS window", "params", "IS sharpe", *(f"OOS {m}" for m in FOLD_METRICS))
    table = Table(columns, _fold_rows(folds), numeric=(True, False, False, False, *(True,) * 5))
    blocks: list[Block] = [cards, text, table]
    curve = read_curve(source.file("walk_forward_oos.parquet"), "walk_forward_oos.parquet")
    marks = tuple(np.datetime64(str(f["out_of_sample_start"])[:19]) for f in folds)
    chart = LineChart(
        "Stitched out-of-sample equity",
        (Series("OOS equity", curve.ts, curve.equity),),
        y_format="money",
        y_title="equity",
        marks=marks,
    )
    blocks.append(Figure(chart, caption="dotted lines: start of each out-of-sample window"))
    stability = wf.get("stability") or {}
    if stability:
        rows = tuple(
            (name, fmt(s.get("mode_share"), "pct"), fmt(s.get("cv"))) for name, s in stability.items()
        )
        blocks.append(
            Table(
                ("parameter", "mode share", "coefficient of variation"),
                rows,
                title="Parameter stability across folds",
                numeric=(False, True, True),
            )
        )
    return Section("walk_forward", "Walk-forward", tuple(blocks))


def _percentile(label: str) -> float:
    """``p5`` → 5.0, ``p2_5`` → 2.5 (how monte_carlo.json spells percentiles)."""
    return float(label.removeprefix("p").replace("_", "."))


def _percentile_table(mc: Mapping[str, Any]) -> Table:
    names = [n for n in ("final_return", "max_drawdown", "sharpe") if isinstance(mc.get(n), dict)]
    labels = sorted(mc[names[0]]["percentiles"], key=_percentile) if names else []
    rows = []
    for name in names:
        d = mc[name]
        cells = [fmt_metric(name, _num(d.get(k))) for k in ("original", "mean")]
        cells.append(fmt_metric(name, _num(d.get("std"))))
        cells += [fmt_metric(name, _num(d["percentiles"].get(p))) for p in labels]
        rows.append((name, *cells))
    columns = ("metric", "original", "mean", "std", *labels)
    return Table(
        columns, tuple(rows), title="Distribution over paths", numeric=(False, *(True,) * (3 + len(labels)))
    )


def _fan(mc: Mapping[str, Any], run_curve: Curve | None) -> Figure:
    fan = mc["fan"]
    steps = np.asarray(fan["steps"], dtype=np.int64)
    equity = np.asarray(fan["equity"], dtype=np.float64)
    pct = [float(p) for p in fan["percentiles"]]
    on_bars = (
        fan.get("axis") == "bar" and run_curve is not None and steps.size and steps[-1] < run_curve.ts.size
    )
    x = run_curve.ts[steps] if on_bars and run_curve is not None else steps.astype(np.float64)
    bands = tuple(
        Band(f"p{pct[i]:g}–p{pct[-1 - i]:g}", x, equity[i], equity[-1 - i]) for i in range(len(pct) // 2)
    )
    series = [Series(f"p{pct[len(pct) // 2]:g}", x, equity[len(pct) // 2])] if len(pct) % 2 else []
    if on_bars and run_curve is not None:
        series.append(Series("this run", run_curve.ts, run_curve.equity))
    x_title = "" if on_bars else f"{fan.get('axis', 'step')}s"
    chart = LineChart(
        "Monte-Carlo equity fan",
        tuple(series),
        y_format="money",
        y_title="equity",
        x_title=x_title,
        bands=bands,
    )
    return Figure(chart, caption="shaded: the range of resampled equity paths between the percentiles shown")


def monte_carlo_section(source: RunSource, run_curve: Curve | None) -> Section:
    """Settings, the percentile table of final return, drawdown and Sharpe, ruin, and the fan chart."""
    mc = source.json("monte_carlo.json")
    block = f", blocks of {mc['block_size']} bars" if mc.get("method") == "block_bootstrap" else ""
    text = Text(f"{mc.get('paths', 0):,} paths, {mc.get('method', '')}{block}, seed {mc.get('seed')}.")
    ruin = Cards(
        (
            ("Ruin probability", fmt(_num(mc.get("ruin_probability")), "pct")),
            ("This run ruined", "yes" if mc.get("original_ruined") else "no"),
        )
    )
    return Section("monte_carlo", "Monte-Carlo", (text, ruin, _percentile_table(mc), _fan(mc, run_curve)))


_STRESS = ("total_return", "max_drawdown", "sharpe")


def _stress_row(
    name: str, kind: str, when: str, m: Mapping[str, Any], base: Mapping[str, Any]
) -> tuple[str, ...]:
    cells = [name, kind, when]
    for metric in _STRESS:
        value, ref = _num(m.get(metric)), _num(base.get(metric))
        delta = None if value is None or ref is None else value - ref
        cells += [fmt_metric(metric, value), fmt_metric(metric, delta) if m is not base else ""]
    return tuple(cells)


def stress_section(source: RunSource) -> Section:
    """Each shock's impact on the portfolio against the unshocked run, and per sleeve when there are any."""
    stress = source.json("stress.json")
    base = stress["baseline"]["portfolio"]
    columns = ("scenario", "kind", "shock at", *(f"{h}{m}" for m in _STRESS for h in ("", "Δ ")))
    rows = [_stress_row("baseline", "none", "", base, base)]
    for s in stress.get("scenarios", []):
        rows.append(
            _stress_row(s["name"], s["kind"], str(s.get("shock_time") or "")[:16], s["portfolio"], base)
        )
    blocks: list[Block] = [Table(columns, tuple(rows), numeric=(False, False, False, *(True,) * 6))]
    sleeves = list(stress["baseline"].get("sleeves", {}))
    if sleeves:
        sleeve_rows = tuple(
            (
                s["name"],
                *(
                    fmt_metric("total_return", _num(s["sleeves"].get(n, {}).get("total_return")))
                    for n in sleeves
                ),
            )
            for s in [{"name": "baseline", **stress["baseline"]}, *stress.get("scenarios", [])]
        )
        blocks.append(
            Table(
                ("scenario", *sleeves),
                sleeve_rows,
                title="Total return per sleeve",
                numeric=(False, *(True,) * len(sleeves)),
            )
        )
    return Section("stress", "Stress scenarios", tuple(blocks))
