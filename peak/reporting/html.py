"""HTML rendering of a :class:`~peak.reporting.document.Report`.

Two variants from one template: ``interactive`` (the .html file: plotly.js embedded, every table row)
and ``print`` (what weasyprint turns into the PDF: matplotlib images, long tables cut to their
``print_rows``). Both are self-contained: no file, font or script is fetched from anywhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from peak.reporting.charts import Chart
from peak.reporting.document import Cards, Code, Figure, Report, Table, Text

TEMPLATES = Path(__file__).with_name("templates")


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _kind(block: object) -> str:
    kinds = {Cards: "cards", Table: "table", Figure: "figure", Code: "code", Text: "text"}
    return kinds[type(block)]


def column_widths(table: Table) -> list[float]:
    """Column widths in percent for the PDF, from the longest printed cell of each column (capped, so a
    long path wraps instead of starving the other columns). weasyprint's automatic table layout measures
    every cell's text at every possible break, which costs seconds on a long table; fixed widths cost
    nothing."""
    rows, _, _ = table.printed()
    sizes = []
    for i, header in enumerate(table.columns):
        longest = max((len(row[i]) for row in rows if i < len(row)), default=0)
        word = max((len(w) for w in header.split()), default=0)
        # +2 for the cell padding; header words count a little wider (bold).
        sizes.append(min(max(longest, round(word * 1.15), 3), 42) + 2)
    total = float(sum(sizes)) or 1.0
    return [round(100.0 * size / total, 2) for size in sizes]


def figure_charts(report: Report) -> list[Chart]:
    """Every chart of ``report`` in document order (the order the template draws them)."""
    return [b.chart for s in report.sections for b in s.blocks if isinstance(b, Figure)]


def render_html(report: Report, printing: bool = False, images: Sequence[str] | None = None) -> str:
    """The report as one HTML page; ``printing`` gives the PDF variant (static images, short tables),
    with ``images`` the data URIs of :func:`figure_charts` when they were rendered already.

    Example: ``Path("run.html").write_text(render_html(build_run_report(source)))``.
    """
    from markupsafe import Markup

    counter = itertools.count()
    if printing:
        from peak.reporting.static_charts import ChartImages

        uris = iter(images if images is not None else ChartImages(figure_charts(report)).result())

        def chart(spec: Chart) -> Markup:
            return Markup('<img alt="{}" src="{}">').format(spec.title, next(uris))

        script = ""
    else:
        from peak.reporting.plotly_charts import chart_html, plotly_js

        def chart(spec: Chart) -> Markup:
            return Markup(chart_html(spec, f"chart-{next(counter)}"))  # JSON we wrote, escaped

        script = plotly_js()
    template = _environment().get_template("report.html.j2")
    return str(
        template.render(
            report=report,
            printing=printing,
            css=Markup((TEMPLATES / "report.css").read_text(encoding="utf-8")),
            plotly_js=Markup(script),
            kind=_kind,
            widths=column_widths,
            chart=chart,
        )
    )
