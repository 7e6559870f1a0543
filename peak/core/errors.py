"""The single error ladder of Peak.

Every error a user can trigger is a ``PeakError``. Entry points catch ``PeakError`` and print its message
without a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class PeakError(Exception):
    """Base of every error Peak raises on purpose. ``exit_code`` is what the CLI exits with."""

    exit_code: int = 1


class ConfigError(PeakError):
    """A configuration value, key or combination is invalid. Raised before any work starts."""

    exit_code = 2


class DataError(PeakError):
    """Market data is missing or malformed.

    Carries the file, column and row (0-based data row, header excluded) of the first offending value
    where they are known, so tests and callers can assert on them.
    """

    exit_code = 3

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        column: str | None = None,
        row: int | None = None,
    ) -> None:
        self.source = source
        self.column = column
        self.row = row
        parts = []
        if source is not None:
            parts.append(f"file {source}")
        if column is not None:
            parts.append(f"column '{column}'")
        if row is not None:
            parts.append(f"row {row}")
        where = ", ".join(parts)
        super().__init__(f"{where}: {message}" if where else message)


class TrackingError(PeakError):
    """The experiment store (MLflow) could not be reached or written."""

    exit_code = 4


class ExchangeError(PeakError):
    """An exchange call failed in a way that must not be retried blindly."""

    exit_code = 5


class TemporaryExchangeError(ExchangeError):
    """An exchange call failed transiently; retry with backoff is allowed."""


class RiskDenied(PeakError):
    """The pre-trade risk gate refused an order."""

    exit_code = 6


class SafetyError(PeakError):
    """An operation would be unsafe (for example a testnet config that points at production)."""

    exit_code = 7


class PromotionRefused(PeakError):
    """A promotion (``peak promote``) was refused: a gate criterion failed or lacks evidence, a required
    earlier stage is missing, or the four-eyes rule is not met. ``reasons`` holds one line per reason.

    Example: ``PromotionRefused("run 3f2a to live", ["four-eyes: promotion to live needs --approved-by"])``.
    """

    exit_code = 8

    def __init__(self, what: str, reasons: list[str] | tuple[str, ...]) -> None:
        self.reasons = tuple(reasons)
        count = len(self.reasons)
        header = f"promotion of {what} refused ({count} reason{'s' if count != 1 else ''}):"
        super().__init__("\n".join([header, *(f"  - {r}" for r in self.reasons)]))
