"""Fixtures for peak.data: a private cache folder for every test and slices of the real shared files."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

SliceWriter = Callable[..., Path]


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own cache folder; the real ``~/.cache`` is never touched."""
    path = tmp_path / "cache"
    monkeypatch.setenv("PEAK_CACHE_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def btc_lines(market_dir: Path) -> list[str]:
    """Header + every line of the shared BTCUSDT_1h file, without line endings."""
    return gzip.decompress((market_dir / "BTCUSDT_1h.csv.gz").read_bytes()).decode().splitlines()


@pytest.fixture
def write_lines(tmp_path: Path) -> SliceWriter:
    """Write ``lines`` (header first) to ``tmp_path/name``; gzipped when the name ends in ``.gz``."""

    def write(lines: list[str], name: str = "BTCUSDT_1h.csv") -> Path:
        path = tmp_path / name
        data = ("\n".join(lines) + "\n").encode()
        path.write_bytes(gzip.compress(data, mtime=0) if name.endswith(".gz") else data)
        return path

    return write


@pytest.fixture
def btc_slice(btc_lines: list[str]) -> list[str]:
    """Header + the first 300 hourly BTC bars (from 2020-01-01 00:00); a fresh list for each test."""
    return btc_lines[:301]
