"""Progress bars for long tasks (Monte-Carlo paths, grids, walk-forward folds): a tqdm bar with an ETA on
an interactive terminal, silence otherwise, so logs and CI output stay clean.

``PEAK_PROGRESS=1`` forces the bar on (e.g. under a pager), ``PEAK_PROGRESS=0`` forces it off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Protocol


class Progress(Protocol):
    """What a task calls while it works: ``advance(n)`` after finishing n more units."""

    def advance(self, n: int = 1) -> None: ...


class _Silent:
    def advance(self, n: int = 1) -> None:
        """Nothing to show."""


class _Bar:
    def __init__(self, bar: object) -> None:
        self._bar = bar

    def advance(self, n: int = 1) -> None:
        self._bar.update(n)  # type: ignore[attr-defined]


def progress_enabled(stream: IO[str] | None = None) -> bool:
    """True when a bar should be drawn: forced by ``PEAK_PROGRESS``, else only on a TTY."""
    forced = os.environ.get("PEAK_PROGRESS", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    target = stream if stream is not None else sys.stderr
    return bool(getattr(target, "isatty", lambda: False)())


@contextmanager
def progress(total: int, what: str, unit: str = "it", stream: IO[str] | None = None) -> Iterator[Progress]:
    """A bar over ``total`` units labelled ``what``, e.g. ``with progress(3000, "monte carlo", "path") as p:
    ... p.advance(100)``. Draws to stderr (or ``stream``) only when ``progress_enabled``."""
    if not progress_enabled(stream):
        yield _Silent()
        return
    from tqdm import tqdm  # deferred: only interactive runs pay for it

    bar = tqdm(total=total, desc=what, unit=unit, file=stream or sys.stderr, dynamic_ncols=True, leave=False)
    try:
        yield _Bar(bar)
    finally:
        bar.close()
