"""PDF rendering through weasyprint, imported only here and only when a PDF is asked for.

weasyprint needs pango and harfbuzz from the system. Without them its import fails deep inside cffi with
a long message; :func:`render_pdf` turns that into one line naming the packages to install, and the
other formats of the same report are still written (see :func:`peak.reporting.write.write_report`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from peak.core.errors import PeakError
from peak.reporting.document import Report
from peak.reporting.html import TEMPLATES, render_html
from peak.reporting.static_charts import ChartImages

APT_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"


class PdfUnavailableError(PeakError):
    """PDF output is impossible here because weasyprint's system libraries are missing. ``written`` lists
    the files of the other formats that were written before the PDF was tried."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.written: list[Path] = []


def _weasyprint() -> Any:
    """The weasyprint module; the import boundary that tests replace to simulate missing libraries."""
    import weasyprint

    return weasyprint


def load_weasyprint() -> Any:
    """weasyprint, or ``PdfUnavailableError`` with the one line that says how to fix it."""
    try:
        return _weasyprint()
    except (ImportError, OSError) as exc:
        # cffi's message runs to several sentences; its first names the library that is missing.
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0].split(". ")[0][:160]
        raise PdfUnavailableError(
            f"PDF output needs weasyprint's system libraries ({first}); install them with "
            f"`apt-get install {APT_PACKAGES}` (HTML and Markdown do not need them)"
        ) from exc


def _embedded_only(weasyprint: Any) -> Any:
    """A fetcher that serves ``data:`` URIs only, so a PDF never depends on (or leaks a request to)
    anything outside the report. weasyprint >= 68 takes a ``URLFetcher``; older ones a function."""
    fetcher_class = getattr(weasyprint, "URLFetcher", None)
    if fetcher_class is not None:
        return fetcher_class(allowed_protocols=("data",))

    def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
        if not url.startswith("data:"):
            raise ValueError(f"reports embed everything; refusing to fetch {url}")
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    return fetch


def render_pdf(report: Report, path: Path, images: ChartImages | None = None) -> Path:
    """Write ``report`` as an A4 PDF with page numbers to ``path``; ``images`` are its charts when their
    rendering was started earlier (see :func:`peak.reporting.write.write_report`)."""
    weasyprint = load_weasyprint()
    # weasyprint logs every CSS property it does not know at WARNING; the stylesheet also serves screens.
    # weasyprint.progress logs each rendering step at INFO.
    for name in ("weasyprint", "weasyprint.progress"):
        logging.getLogger(name).setLevel(logging.ERROR)
    uris = images.result() if images is not None else None
    html = render_html(report, printing=True, images=uris)
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES), url_fetcher=_embedded_only(weasyprint))
    document.write_pdf(path)
    return path
