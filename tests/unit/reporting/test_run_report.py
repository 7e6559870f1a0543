"""The run report of a real backtest in HTML, PDF and Markdown, and what happens without weasyprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from peak.core.errors import TrackingError
from peak.reporting import pdf
from peak.reporting.document import Report
from peak.reporting.html import render_html
from peak.reporting.markdown import render_markdown
from peak.reporting.pdf import APT_PACKAGES, PdfUnavailableError
from peak.reporting.run_report import TRADE_ROWS_PRINTED, build_run_report
from peak.reporting.source import folder_source
from peak.reporting.write import parse_formats, write_report
from tests.support.reports import assert_a4, external_references, pdf_text
from tests.unit.reporting.conftest import FolderRun


@pytest.fixture(scope="module")
def report(folder_run: FolderRun) -> Report:
    return build_run_report(folder_run.source)


def test_run_report_when_html_then_self_contained_with_plotly_and_every_section(
    report: Report, folder_run: FolderRun
) -> None:
    html = render_html(report)
    assert external_references(html) == []
    assert "<script src" not in html and "<link" not in html
    assert "Plotly.newPlot" in html and len(html) > 3_000_000  # plotly.js is inside the page
    for title in ("Equity and drawdown", "Monthly returns", "Return distribution", "Trades", "Lineage"):
        assert f">{title}</h2>" in html
    sharpe = folder_run.result.metrics["sharpe"]
    assert f"{sharpe:.4f}" in html and "0123abc" in html and "sha256:sample-slice" in html
    assert "fast: 10" in html  # the composed config
    assert html.count("<tr") > folder_run.result.metrics["n_trades"]  # every trade is listed


def test_run_report_when_markdown_then_metrics_trades_cut_and_monthly_table(
    report: Report, folder_run: FolderRun
) -> None:
    md = render_markdown(report)
    n = folder_run.result.metrics["n_trades"]
    assert f"| Total return | {folder_run.result.metrics['total_return']:.2%} |" in md
    assert "| year | Jan | Feb |" in md and "longest losing streak" in md
    if n > TRADE_ROWS_PRINTED:
        assert f"the {TRADE_ROWS_PRINTED} most recent of {n:,} trades" in md


def test_write_report_when_all_formats_then_a4_pdf_with_page_numbers_and_headline(
    report: Report, folder_run: FolderRun, tmp_path: Path
) -> None:
    paths = write_report(report, parse_formats("html,pdf,md"), tmp_path)
    assert [p.suffix for p in paths] == [".html", ".md", ".pdf"]
    pages = assert_a4(paths[-1])
    text = pdf_text(paths[-1])
    assert f"page 1 of {pages}" in text and f"page {pages} of {pages}" in text
    metrics = folder_run.result.metrics
    assert f"{metrics['sharpe']:.4f}" in text and f"{metrics['max_drawdown']:.2%}" in text


def test_write_report_when_weasyprint_libraries_missing_then_one_line_naming_apt_packages(
    report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> None:
        raise OSError(
            "cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file: "
            "No such file or directory. Additionally, ctypes.util.find_library() did not manage to locate "
            "a library called 'libpango-1.0-0'"
        )

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    with pytest.raises(PdfUnavailableError) as caught:
        write_report(report, ("html", "pdf", "md"), tmp_path)
    message = str(caught.value)
    assert "\n" not in message and f"apt-get install {APT_PACKAGES}" in message
    assert "libpango-1.0-0: cannot open shared object file" in message and "Additionally" not in message
    assert sorted(p.suffix for p in caught.value.written) == [".html", ".md"]
    assert all(p.is_file() for p in caught.value.written) and not list(tmp_path.glob("*.pdf"))


def test_run_report_when_artifact_missing_then_error_names_run_and_file(
    folder_run: FolderRun, tmp_path: Path
) -> None:
    (tmp_path / "metrics.json").write_text("{}")
    source = folder_source(tmp_path, "a" * 32, "peak", "half a run", {}, {}, {"peak.task": "backtest"})
    with pytest.raises(
        TrackingError, match=f"run {'a' * 32} .* has no artifact equity.parquet in {tmp_path}"
    ):
        build_run_report(source)
