"""Markdown rendering of a :class:`~peak.reporting.document.Report`: the numbers and tables for a quick
read in a terminal, a pull request or a chat; charts are named and, where it makes sense, replaced by
their table (the monthly returns)."""

from __future__ import annotations

from peak.reporting.document import Block, Cards, Code, Figure, Report, Table, Text


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(table: Table) -> list[str]:
    rows, _, cut = table.printed()
    lines = [f"**{table.title}**", ""] if table.title else []
    align = ["---:" if table.is_numeric(i) else "---" for i in range(len(table.columns))]
    lines += [
        "| " + " | ".join(_cell(c) for c in table.columns) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows),
        "",
    ]
    if cut and table.print_note:
        lines += [f"_{table.print_note}_", ""]
    if table.note:
        lines += [f"_{table.note}_", ""]
    return lines


def _block(block: Block) -> list[str]:
    if isinstance(block, Cards):
        return _table(Table(("metric", "value"), block.items, numeric=(False, True)))
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        if block.table is not None:
            return _table(block.table)
        return [f"_Chart: {block.chart.title} (in the HTML and PDF reports)._", ""]
    if isinstance(block, Code):
        return ["```yaml", block.text.rstrip(), "```", ""]
    if isinstance(block, Text):
        if block.tone in ("go", "no-go"):
            return [f"> **{block.text}**", ""]
        return [f"_{block.text}_" if block.tone == "note" else block.text, ""]
    raise TypeError(f"unknown report block {type(block).__name__}")


def render_markdown(report: Report) -> str:
    """The report as Markdown. Example: ``print(render_markdown(build_run_report(source)))``."""
    lines = [f"# {report.title}", "", report.subtitle, ""]
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            lines += _block(block)
    if report.footer:
        lines += ["---", report.footer, ""]
    return "\n".join(lines)
