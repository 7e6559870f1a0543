"""Static charts for the PDF: each chart spec drawn with matplotlib (Agg) as a PNG data URI.

The width is the A4 text width (180 mm), so weasyprint places each image at 100 % without scaling text.
"""

from __future__ import annotations

import base64
import io
import multiprocessing
import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from peak.reporting.charts import Chart, Heatmap, Histogram, LineChart, thin
from peak.reporting.formatting import ValueFormat, fmt

WIDTH_IN = 7.0
"""178 mm: the text width of an A4 page with 15 mm margins."""
DPI = 120
MAX_POINTS = 3_000
_COLORS = ("#1f5fa8", "#d9822b", "#2e8b57", "#b03a48", "#7a5ba8", "#4a9bb3", "#8c6d3f", "#666666")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display: render to memory
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 8, "axes.titlesize": 9, "font.family": "DejaVu Sans"})
    return plt


def _tick_formatter(kind: ValueFormat) -> Any:
    from matplotlib.ticker import FuncFormatter

    if kind == "pct":
        return FuncFormatter(lambda v, _: f"{v:.0%}" if abs(v) >= 0.1 or v == 0 else f"{v:.1%}")
    if kind in ("money", "int"):
        return FuncFormatter(lambda v, _: f"{v:,.0f}")
    return FuncFormatter(lambda v, _: f"{v:.2f}" if kind == "prob" else f"{v:.4g}")


def _line(ax: Any, chart: LineChart) -> None:
    for i, band in enumerate(chart.bands):
        ax.fill_between(
            band.x,
            band.lower,
            band.upper,
            color=_COLORS[0],
            alpha=0.15 + 0.13 * (i % 2),
            linewidth=0,
            label=band.name,
        )
    for i, s in enumerate(chart.series):
        x, y = thin(s.x, s.y, MAX_POINTS)
        color = _COLORS[i % len(_COLORS)]
        if s.fill:
            ax.fill_between(x, y, 0, color=color, alpha=0.35, linewidth=0)
        marker = "o" if "markers" in s.mode else None
        style = "-" if "lines" in s.mode else "none"
        ax.plot(x, y, color=color, linewidth=0.9, linestyle=style, marker=marker, markersize=3, label=s.name)
    for mark in chart.marks:
        ax.axvline(mark, color="#999999", linewidth=0.7, linestyle=":")
    ax.yaxis.set_major_formatter(_tick_formatter(chart.y_format))
    if chart.x_labels:
        ax.set_xticks(
            range(len(chart.x_labels)), chart.x_labels, rotation=90 if len(chart.x_labels) > 12 else 0
        )
    ax.set_xlabel(chart.x_title)
    ax.set_ylabel(chart.y_title)
    ax.grid(alpha=0.3, linewidth=0.5)
    if len(chart.series) + len(chart.bands) > 1:
        ax.legend(fontsize=7, ncol=4, loc="best", frameon=False)


def _heatmap(fig: Any, ax: Any, chart: Heatmap) -> None:
    z = np.ma.masked_invalid(chart.z)
    kwargs: dict[str, Any] = {"cmap": "RdYlGn" if chart.diverging else "viridis", "aspect": "auto"}
    if chart.diverging and z.count():
        bound = float(np.nanmax(np.abs(chart.z))) or 1.0
        kwargs.update(vmin=-bound, vmax=bound)
    image = ax.imshow(z, **kwargs)
    ax.set_xticks(range(len(chart.x_labels)), chart.x_labels, rotation=90 if len(chart.x_labels) > 12 else 0)
    ax.set_yticks(range(len(chart.y_labels)), chart.y_labels)
    ax.set_xlabel(chart.x_title)
    ax.set_ylabel(chart.y_title)
    if chart.z.size <= 400:
        for (i, j), value in np.ndenumerate(chart.z):
            if not np.isnan(value):
                ax.text(j, i, fmt(float(value), chart.value_format), ha="center", va="center", fontsize=6)
    fig.colorbar(image, ax=ax, format=_tick_formatter(chart.value_format), fraction=0.04)


def _histogram(ax: Any, chart: Histogram) -> None:
    ax.hist(chart.values, bins=chart.bins, color=_COLORS[0], alpha=0.85)
    ax.xaxis.set_major_formatter(_tick_formatter(chart.x_format))
    ax.set_xlabel(chart.x_title)
    ax.set_ylabel("count")
    ax.grid(alpha=0.3, linewidth=0.5)


def _height(chart: Chart) -> float:
    if isinstance(chart, Heatmap):
        return min(8.5, 1.2 + 0.24 * len(chart.y_labels))
    if isinstance(chart, Histogram):
        return 2.6
    return chart.height


def chart_png(chart: Chart) -> bytes:
    """``chart`` as PNG bytes, 7 inches wide at 120 dpi."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, _height(chart)))
    try:
        if isinstance(chart, LineChart):
            _line(ax, chart)
        elif isinstance(chart, Heatmap):
            _heatmap(fig, ax, chart)
        else:
            _histogram(ax, chart)
        ax.set_title(chart.title)
        if isinstance(chart, Heatmap):
            fig.tight_layout()  # tick labels of any length
        else:
            # Fixed margins: tight_layout measures every tick label, a third of a chart's time.
            fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.2 if _height(chart) < 2.8 else 0.16)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI)
    finally:
        plt.close(fig)
    return buffer.getvalue()


def chart_data_uri(chart: Chart) -> str:
    """``data:image/png;base64,...`` of ``chart``: the PDF embeds it, nothing is fetched."""
    return "data:image/png;base64," + base64.b64encode(chart_png(chart)).decode("ascii")


class ChartImages:
    """The PDF's chart images, rendered in up to two forked processes while the caller goes on (writing
    the HTML, importing weasyprint): on two cores that hides most of matplotlib's cost. Where forking is
    not possible or not worth it (one chart, one core, a daemonic sweep worker, not Linux) the charts are
    drawn here when :meth:`result` is called. Example: ``ChartImages(charts).result()[0]`` →
    ``"data:image/png;base64,..."``."""

    def __init__(self, charts: Sequence[Chart]) -> None:
        self._charts = list(charts)
        self._pool: Any = None
        self._pending: Any = None
        if self._parallel():
            self._pool = multiprocessing.get_context("fork").Pool(min(2, len(self._charts)))
            self._pending = self._pool.map_async(chart_data_uri, self._charts)

    def _parallel(self) -> bool:
        return (
            len(self._charts) >= 3
            and (os.cpu_count() or 1) > 1
            and sys.platform == "linux"
            and not multiprocessing.current_process().daemon
        )

    def result(self) -> list[str]:
        """Every chart's data URI, in the order given."""
        if self._pending is None or self._pool is None:
            return [chart_data_uri(c) for c in self._charts]
        try:
            return list(self._pending.get())
        finally:
            self.close()

    def close(self) -> None:
        """Stop the worker processes (idempotent); results not yet collected are dropped."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
