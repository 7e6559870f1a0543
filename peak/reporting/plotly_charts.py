"""Interactive charts for the HTML report: each chart spec becomes a plotly.js figure (data + layout).

Figures are written as plain JSON for ``Plotly.newPlot``; arrays go as plotly.js typed arrays
(base64 float64), which keeps a 37,000-bar curve small and fast to write. Times are milliseconds on a
date axis. plotly.js itself is embedded once per page from the installed ``plotly`` package.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np

from peak.reporting.charts import Band, Chart, Heatmap, Histogram, LineChart, Series, thin
from peak.reporting.formatting import ValueFormat, fmt

MAX_POINTS = 20_000
"""Most points drawn per curve; a longer one is thinned keeping each bucket's extremes."""
CONFIG = {"displaylogo": False, "responsive": True}
"""No "Produced with plotly" link: the report must not point anywhere outside itself."""
_TICK = {"pct": ".1%", "prob": ".2f", "int": ",d", "money": ",.0f", "num": ".3~f"}
_HOVER = {"pct": ".2%", "prob": ".3f", "int": ",d", "money": ",.2f", "num": ".4f"}
_COLORS = ("#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#7a5ba8", "#4a9bb3", "#8c6d3f", "#666666")


def _array(values: np.ndarray) -> dict[str, str]:
    data = np.ascontiguousarray(values, dtype=np.float64)
    return {"dtype": "f8", "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def _x(values: np.ndarray) -> tuple[dict[str, str], bool]:
    """(encoded x, is a date axis)."""
    if np.issubdtype(values.dtype, np.datetime64):
        return _array(values.astype("datetime64[ms]").astype(np.int64).astype(np.float64)), True
    return _array(values), False


def _series(s: Series, color: str, y_format: ValueFormat) -> dict[str, Any]:
    x, y = thin(s.x, s.y, MAX_POINTS)
    ex, _ = _x(x)
    trace: dict[str, Any] = {
        "type": "scatter",
        "name": s.name,
        "x": ex,
        "y": _array(y),
        "mode": s.mode,
        "line": {"color": color, "width": 1.4},
        "marker": {"color": color, "size": 5},
        "hovertemplate": f"%{{y:{_HOVER[y_format]}}}<extra>{s.name}</extra>",
    }
    if s.fill:
        trace["fill"] = "tozeroy"
    return trace


def _band(b: Band, color: str) -> list[dict[str, Any]]:
    ex, _ = _x(b.x)
    lower = {"type": "scatter", "x": ex, "y": _array(b.lower), "mode": "lines", "line": {"width": 0}}
    upper = {
        "type": "scatter",
        "x": ex,
        "y": _array(b.upper),
        "mode": "lines",
        "line": {"width": 0},
        "fill": "tonexty",
        "fillcolor": color,
        "name": b.name,
    }
    return [{**lower, "showlegend": False, "hoverinfo": "skip"}, upper]


def _layout(title: str, height: int, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title, "font": {"size": 14}},
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
        "hovermode": "x unified",
        "legend": {"orientation": "h", "y": -0.15},
        "template": {"layout": {"font": {"family": "DejaVu Sans, Arial, sans-serif"}}},
        **extra,
    }


def _ticks(chart: LineChart) -> dict[str, Any]:
    if not chart.x_labels:
        return {}
    return {"tickvals": list(range(len(chart.x_labels))), "ticktext": list(chart.x_labels)}


def _line(chart: LineChart) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    band_colors = ("rgba(31,95,168,0.15)", "rgba(31,95,168,0.28)")
    data: list[dict[str, Any]] = []
    for i, band in enumerate(chart.bands):
        data += _band(band, band_colors[i % 2])
    data += [_series(s, _COLORS[i % len(_COLORS)], chart.y_format) for i, s in enumerate(chart.series)]
    dated = bool(chart.series) and np.issubdtype(chart.series[0].x.dtype, np.datetime64)
    shapes = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": float(m.astype("datetime64[ms]").astype(np.int64)),
            "x1": float(m.astype("datetime64[ms]").astype(np.int64)),
            "y0": 0,
            "y1": 1,
            "line": {"color": "#999", "width": 1, "dash": "dot"},
        }
        for m in chart.marks
    ]
    layout = _layout(
        chart.title,
        int(chart.height * 110),
        xaxis={"type": "date" if dated else "linear", "title": {"text": chart.x_title}, **_ticks(chart)},
        yaxis={"tickformat": _TICK[chart.y_format], "title": {"text": chart.y_title}},
        shapes=shapes,
    )
    return data, layout


def _heatmap(chart: Heatmap) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    z = [[None if np.isnan(v) else float(v) for v in row] for row in chart.z]
    text = [["" if np.isnan(v) else fmt(float(v), chart.value_format) for v in row] for row in chart.z]
    trace: dict[str, Any] = {
        "type": "heatmap",
        "x": list(chart.x_labels),
        "y": list(chart.y_labels),
        "z": z,
        "text": text,
        "texttemplate": "%{text}" if chart.z.size <= 400 else "",
        "hovertemplate": f"{chart.x_title} %{{x}}, {chart.y_title} %{{y}}: %{{text}}<extra></extra>",
        "colorscale": "RdYlGn" if chart.diverging else "Viridis",
        "colorbar": {"tickformat": _TICK[chart.value_format]},
    }
    if chart.diverging:
        trace["zmid"] = 0
    height = max(260, 60 + 26 * len(chart.y_labels))
    layout = _layout(
        chart.title,
        height,
        hovermode="closest",
        xaxis={"type": "category", "title": {"text": chart.x_title}},
        yaxis={"type": "category", "title": {"text": chart.y_title}, "autorange": "reversed"},
    )
    return [trace], layout


def _histogram(chart: Histogram) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    counts, edges = np.histogram(chart.values, bins=chart.bins)
    centres = (edges[:-1] + edges[1:]) / 2.0
    trace = {
        "type": "bar",
        "x": _array(centres),
        "y": _array(counts.astype(np.float64)),
        "width": float(edges[1] - edges[0]) if len(edges) > 1 else None,
        "marker": {"color": _COLORS[0]},
        "hovertemplate": f"%{{x:{_HOVER[chart.x_format]}}}: %{{y}}<extra></extra>",
    }
    layout = _layout(
        chart.title,
        300,
        hovermode="closest",
        bargap=0.02,
        xaxis={"tickformat": _TICK[chart.x_format], "title": {"text": chart.x_title}},
        yaxis={"title": {"text": "count"}},
    )
    return [trace], layout


def figure(chart: Chart) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(data, layout) of ``chart`` for ``Plotly.newPlot``."""
    if isinstance(chart, LineChart):
        return _line(chart)
    if isinstance(chart, Heatmap):
        return _heatmap(chart)
    return _histogram(chart)


def chart_html(chart: Chart, element_id: str) -> str:
    """A ``<div>`` and the script that draws ``chart`` into it (needs plotly.js loaded before it)."""
    data, layout = figure(chart)
    payload = json.dumps([data, layout, CONFIG], separators=(",", ":"), allow_nan=False)
    # "</" never appears raw inside the script element, whatever a title says.
    payload = payload.replace("</", "<\\/")
    return (
        f'<div class="chart" id="{element_id}"></div>'
        f'<script>(function(){{var f={payload};Plotly.newPlot("{element_id}",f[0],f[1],f[2]);}})();</script>'
    )


def plotly_js() -> str:
    """The plotly.js bundle of the installed ``plotly`` package (about 4.8 MB), for one inline script."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())
