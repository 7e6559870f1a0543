"""Checks on written reports: no reference to anything outside an HTML file, and what a PDF says."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

_URL_ATTRIBUTES = {"src", "href", "action", "data", "poster", "srcset", "xlink:href", "background"}
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]+)", re.I)


def _external(value: str) -> bool:
    """A reference that leaves the file: a scheme other than data:/a #fragment, or protocol-relative."""
    value = value.strip().lower()
    return not (value.startswith(("#", "data:")) or value == "")


class _References(HTMLParser):
    """Every URL the HTML itself references: element attributes, inline styles and <style> blocks.

    Script bodies are not markup (plotly.js holds URL strings in its code), so they are not read."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in _URL_ATTRIBUTES and _external(value):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.found += [f"<{tag} style url({u})>" for u in _CSS_URL.findall(value) if _external(u)]
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found += [f"<style> url({u})" for u in _CSS_URL.findall(data) if _external(u)]


def external_references(html: str) -> list[str]:
    """References in ``html`` to anything but itself (``[]`` for a self-contained page)."""
    parser = _References()
    parser.feed(html)
    return parser.found


def pdf_text(path: Path) -> str:
    """The text of a PDF (poppler's pdftotext, layout kept)."""
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_pages(path: Path) -> tuple[int, str]:
    """(page count, page size line such as ``595.276 x 841.89 pts (A4)``) from poppler's pdfinfo."""
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+(.+)$", info, re.M).group(1)  # type: ignore[union-attr]
    return pages, size.strip()


def assert_a4(path: Path) -> int:
    """The PDF's pages are A4 (595 x 842 pt); returns the page count."""
    pages, size = pdf_pages(path)
    width, height = (float(v) for v in re.findall(r"[\d.]+", size)[:2])
    assert (round(width), round(height)) == (595, 842), size
    return pages
