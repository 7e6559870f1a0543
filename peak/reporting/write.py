"""Writing a report in the asked formats, PDF last: without weasyprint's system libraries the HTML and
Markdown are still written before the one-line PDF error is raised."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from peak.core.errors import ConfigError
from peak.reporting.config import FORMATS, Format
from peak.reporting.document import Report
from peak.reporting.html import figure_charts, render_html
from peak.reporting.static_charts import ChartImages


def parse_formats(text: str) -> tuple[Format, ...]:
    """``"html,pdf"`` → ``("html", "pdf")``; an unknown format is a ``ConfigError`` naming the allowed
    ones."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise ConfigError(
            f"unknown report format {', '.join(unknown) or repr(text)}; choose from {', '.join(FORMATS)}"
        )
    return tuple(dict.fromkeys(n for n in names if n in FORMATS))


def _write_text(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


def _write_pdf(report: Report, out_dir: Path, images: ChartImages, written: list[Path]) -> Path:
    from peak.reporting.pdf import PdfUnavailableError, render_pdf

    target = out_dir / f"{report.stem}.pdf"
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        render_pdf(report, tmp, images)
    except PdfUnavailableError as exc:
        exc.written = list(written)
        raise
    os.replace(tmp, target)
    return target


def write_report(report: Report, formats: Sequence[Format], out_dir: Path) -> list[Path]:
    """Write ``report`` as ``<out_dir>/<kind>_<run id>.<format>`` for each format; returns the paths.

    Raises ``PdfUnavailableError`` (after the other formats are written) when a PDF is asked for and
    weasyprint cannot load.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    # The PDF's charts are drawn in the background while the HTML and Markdown are written.
    images = ChartImages(figure_charts(report) if "pdf" in formats else [])
    try:
        if "html" in formats:
            written.append(_write_text(out_dir / f"{report.stem}.html", render_html(report)))
        if "md" in formats:
            from peak.reporting.markdown import render_markdown

            written.append(_write_text(out_dir / f"{report.stem}.md", render_markdown(report)))
        if "pdf" in formats:
            written.append(_write_pdf(report, out_dir, images, written))
    finally:
        images.close()
    return written
