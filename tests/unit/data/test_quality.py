"""Gaps are reported (count, largest, where) and handled by data.gaps: warn (default), error or ignore."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from peak.core.errors import DataError
from peak.data import QualityReport, load_bars
from peak.data.config import CsvData
from tests.unit.data.conftest import SliceWriter


@pytest.fixture
def gappy_csv(btc_slice: list[str], write_lines: SliceWriter) -> Path:
    """The BTC slice without data rows 100-102 (3 bars from 2020-01-05 04:00) and row 200 (1 bar)."""
    lines = [line for i, line in enumerate(btc_slice) if i - 1 not in (100, 101, 102, 200)]
    return write_lines(lines, "gappy.csv")


def _load(path: Path, gaps: str = "warn") -> QualityReport:
    return load_bars(CsvData(path=str(path), gaps=gaps, cache=False)).quality


def test_quality_when_rows_deleted_then_count_largest_and_locations(gappy_csv: Path) -> None:
    report = _load(gappy_csv, gaps="ignore")

    assert (report.n_bars, report.gap_count, report.missing_bars) == (296, 2, 4)
    assert (report.largest_gap, report.largest_gap_bars) == ("3h", 3)
    assert [(g.start, g.missing_bars, g.row) for g in report.gaps] == [
        ("2020-01-05T04:00:00+00:00", 3, 100),
        ("2020-01-09T08:00:00+00:00", 1, 197),
    ]
    assert report.has_gaps


def test_quality_when_to_dict_then_json_safe(gappy_csv: Path) -> None:
    data = _load(gappy_csv, gaps="ignore").to_dict()

    assert json.loads(json.dumps(data)) == data
    assert data["gaps"][0] == {"start": "2020-01-05T04:00:00+00:00", "missing_bars": 3, "row": 100}
    assert (data["first_ts"], data["last_ts"]) == ("2020-01-01T00:00:00+00:00", "2020-01-13T11:00:00+00:00")


def test_quality_when_gaps_warn_then_summary_logged_on_peak_data(
    gappy_csv: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="peak.data"):
        report = _load(gappy_csv, gaps="warn")

    warnings = [r for r in caplog.records if r.name == "peak.data" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert report.summary() in warnings[0].getMessage()
    assert "2 gaps, 4 bars missing, largest 3h (3 bars)" in report.summary()


def test_quality_when_gaps_error_then_data_error_names_first_gap(gappy_csv: Path) -> None:
    with pytest.raises(DataError, match=r"3 missing 1h bars starting 2020-01-05T04:00:00\+00:00") as info:
        _load(gappy_csv, gaps="error")

    assert (info.value.source, info.value.row) == (str(gappy_csv), 100)
    assert "2 gaps in total" in str(info.value)


def test_quality_when_gaps_ignore_then_silent_but_reported(
    gappy_csv: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="peak.data"):
        report = _load(gappy_csv, gaps="ignore")

    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert report.gap_count == 2


def test_quality_when_no_gaps_then_clean_report_and_no_warning(
    market_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="peak.data"):
        report = load_bars(CsvData(path=str(market_dir / "ETHUSDT_1h.csv.gz"), symbol="ETH/USDT")).quality

    assert (report.n_bars, report.gap_count, report.largest_gap, report.gaps) == (37_660, 0, "0s", ())
    assert "no gaps" in report.summary()
    assert caplog.records == []


def test_quality_when_selected_range_excludes_gap_then_no_gap_and_no_error(gappy_csv: Path) -> None:
    cfg = CsvData(path=str(gappy_csv), start="2020-01-10", gaps="error", cache=False)

    report = load_bars(cfg).quality

    assert (report.gap_count, report.first_ts) == (0, "2020-01-10T00:00:00+00:00")


def test_quality_when_range_selected_then_gap_row_counts_from_file_start(gappy_csv: Path) -> None:
    report = load_bars(CsvData(path=str(gappy_csv), start="2020-01-03", gaps="ignore", cache=False)).quality

    assert report.gaps[0].row == 100  # still the file row, not the position in the selection
