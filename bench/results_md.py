"""Shared helpers for benchmark scripts: machine description and RESULTS.md sections."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"


def shared_data_dir() -> Path:
    """``$PEAK_SHARED_DATA`` or ``../shared/data`` beside the project."""
    return Path(os.environ.get("PEAK_SHARED_DATA", ROOT.parent / "shared" / "data")).resolve()


def machine_lines(extra: str = "") -> list[str]:
    """Markdown bullet lines naming the CPU, core count, date and Python version."""
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [
        f"- machine: {cpu}, {os.cpu_count()} logical cores",
        f"- date: {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- Python {platform.python_version()}{extra}",
    ]
    return lines


def write_section(heading: str, text: str) -> None:
    """Replace the section starting at ``heading`` in RESULTS.md (or append it); keep every other section."""
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n\n"
    lines = old.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if ln.rstrip() == heading), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        end = next((j for j in range(start + 1, len(lines)) if lines[j].startswith("## ")), len(lines))
        tail = "".join(lines[end:])
        new = "".join(lines[:start]) + text + ("\n" + tail if tail else "")
    RESULTS.write_text(new, encoding="utf-8")
