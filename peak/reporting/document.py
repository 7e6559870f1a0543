"""A report as plain data: sections of blocks (headline cards, tables, charts, text, code).

The builders (run, sweep, robustness) produce a :class:`Report`; the HTML, PDF and Markdown renderers
each turn the same object into their format, so the three never disagree on a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from peak.reporting.charts import Chart


@dataclass(frozen=True)
class Cards:
    """Headline numbers, e.g. ``Cards((("Sharpe", "1.1936"), ("Max drawdown", "36.23%")))``."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """Formatted cells. ``numeric`` right-aligns columns; ``row_classes`` tags rows (``pass``, ``fail``,
    ``best``). The PDF and Markdown show at most ``print_rows`` rows (the last ones when
    ``print_from_end``) and say so with ``print_note``; HTML shows every row."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""
    note: str = ""
    numeric: tuple[bool, ...] = ()
    row_classes: tuple[str, ...] = ()
    print_rows: int | None = None
    print_from_end: bool = False
    print_note: str = ""

    def printed(self) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...], bool]:
        """(rows, their classes, truncated?) as the PDF and Markdown show them."""
        classes = self.row_classes or ("",) * len(self.rows)
        limit = self.print_rows
        if limit is None or len(self.rows) <= limit:
            return self.rows, classes, False
        if self.print_from_end:
            return self.rows[-limit:], classes[-limit:], True
        return self.rows[:limit], classes[:limit], True

    def is_numeric(self, column: int) -> bool:
        """Whether column ``column`` holds numbers (right-aligned)."""
        return column < len(self.numeric) and self.numeric[column]


@dataclass(frozen=True)
class Figure:
    """A chart; ``table`` is what Markdown shows in its place (None: Markdown names the chart only)."""

    chart: Chart
    table: Table | None = None
    caption: str = ""


@dataclass(frozen=True)
class Text:
    """A paragraph. ``tone`` ``go``/``no-go`` is the verdict banner; ``note`` is smaller print."""

    text: str
    tone: Literal["plain", "note", "go", "no-go"] = "plain"


@dataclass(frozen=True)
class Code:
    """Preformatted text, e.g. the composed config as YAML."""

    text: str


Block = Cards | Table | Figure | Text | Code


@dataclass(frozen=True)
class Section:
    """A titled part of the report; ``key`` is its anchor (``trades``)."""

    key: str
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Report:
    """A whole report: ``kind`` is ``run``, ``sweep`` or ``robustness``; ``run_id`` the MLflow run."""

    kind: str
    run_id: str
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    footer: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        """File name without extension: ``run_<run id>``."""
        return f"{self.kind}_{self.run_id}"
