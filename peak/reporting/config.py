"""``report`` group: reports written at the end of a ``peak-run`` and logged with the run."""

from __future__ import annotations

from typing import Literal

from pydantic import field_validator

from peak.core.config import FrozenModel

Format = Literal["html", "pdf", "md"]
"""A report format: self-contained interactive HTML, A4 PDF, or Markdown."""
FORMATS: tuple[Format, ...] = ("html", "pdf", "md")


class ReportConfig(FrozenModel):
    """``report.enabled=true`` writes the run's reports into ``<run dir>/reports/`` and logs them as MLflow
    artifacts under ``reports/``. Example: ``ReportConfig(enabled=True, formats=("html", "md"))``."""

    enabled: bool = False
    formats: tuple[Format, ...] = FORMATS

    @field_validator("formats")
    @classmethod
    def _distinct(cls, formats: tuple[Format, ...]) -> tuple[Format, ...]:
        if not formats:
            raise ValueError(f"list at least one format of {', '.join(FORMATS)}")
        return tuple(dict.fromkeys(formats))
