"""The ``report`` group's model: formats are checked, unknown keys are refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from peak.core.errors import ConfigError
from peak.reporting.config import ReportConfig
from peak.reporting.write import parse_formats


def test_report_config_when_defaults_then_off_with_every_format() -> None:
    assert ReportConfig() == ReportConfig(enabled=False, formats=("html", "pdf", "md"))


def test_report_config_when_unknown_format_key_or_empty_then_refused() -> None:
    with pytest.raises(ValidationError, match="'html', 'pdf' or 'md'"):
        ReportConfig(formats=("docx",))
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ReportConfig(enable=True)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="at least one format"):
        ReportConfig(formats=())
    assert ReportConfig(formats=("md", "md", "html")).formats == ("md", "html")


def test_parse_formats_when_cli_text_then_formats_or_error_naming_allowed() -> None:
    assert parse_formats(" HTML, md ,") == ("html", "md")
    with pytest.raises(ConfigError, match="unknown report format xls; choose from html, pdf, md"):
        parse_formats("html,xls")
