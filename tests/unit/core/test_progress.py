"""Progress bars: drawn on a terminal or when forced, silent otherwise."""

from __future__ import annotations

import io

import pytest

from peak.core.progress import progress, progress_enabled


def test_progress_when_not_a_tty_then_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PEAK_PROGRESS", raising=False)
    stream = io.StringIO()
    with progress(10, "paths", stream=stream) as bar:
        bar.advance(10)
    assert stream.getvalue() == "" and not progress_enabled(stream)


def test_progress_when_forced_then_bar_with_count_and_eta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEAK_PROGRESS", "1")
    stream = io.StringIO()
    with progress(4, "monte carlo", unit="path", stream=stream) as bar:
        for _ in range(4):
            bar.advance()
    text = stream.getvalue()
    assert "monte carlo" in text and "/4" in text and "<" in text  # count and elapsed<remaining (ETA)


def test_progress_when_forced_off_then_silent_even_on_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("PEAK_PROGRESS", "0")
    assert not progress_enabled(Tty())
    monkeypatch.delenv("PEAK_PROGRESS")
    assert progress_enabled(Tty())
