"""fingerprint: sha256 of the normalized bars, stable across reads and processes, sensitive to one bit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from peak.core.bars import Bars
from peak.core.timeframe import Timeframe
from peak.data import fingerprint, read_ohlcv
from tests.unit.data.real_slices import copy_bars


@pytest.fixture(scope="module")
def btc_daily(market_dir: Path) -> Bars:
    return read_ohlcv(market_dir / "BTCUSDT_1d.csv.gz", symbol="BTC/USDT", timeframe="1d")


def test_fingerprint_when_read_twice_then_same_sha256_hex(market_dir: Path, btc_daily: Bars) -> None:
    again = read_ohlcv(market_dir / "BTCUSDT_1d.csv.gz", symbol="BTC/USDT", timeframe="1d")

    value = fingerprint(btc_daily)

    assert value == fingerprint(again)
    assert len(value) == 64 and int(value, 16) >= 0


def test_fingerprint_when_computed_in_another_process_then_same(market_dir: Path, btc_daily: Bars) -> None:
    path = str(market_dir / "BTCUSDT_1d.csv.gz")
    code = (
        "from peak.data import fingerprint, read_ohlcv; "
        f"print(fingerprint(read_ohlcv({path!r}, symbol='BTC/USDT', timeframe='1d')))"
    )

    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()

    assert out == fingerprint(btc_daily)


@pytest.mark.parametrize("column", ["open", "high", "low", "close", "volume"])
def test_fingerprint_when_one_value_changes_in_the_last_bit_then_changes(
    btc_daily: Bars, column: str
) -> None:
    values = getattr(btc_daily, column).copy()
    values[700] = np.nextafter(values[700], np.inf)

    changed = copy_bars(btc_daily, **{column: values})

    assert fingerprint(changed) != fingerprint(btc_daily)
    assert fingerprint(copy_bars(btc_daily)) == fingerprint(btc_daily)


def test_fingerprint_when_symbol_timeframe_or_time_changes_then_changes(btc_daily: Bars) -> None:
    ts = btc_daily.ts.copy()
    ts[-1] += 1
    renamed = Bars(
        symbol="XBT/USDT",
        timeframe=btc_daily.timeframe,
        **{n: getattr(btc_daily, n) for n in ("ts", "open", "high", "low", "close", "volume")},
    )
    retimed = Bars(
        symbol=btc_daily.symbol,
        timeframe=Timeframe.parse("24h"),
        **{n: getattr(btc_daily, n) for n in ("ts", "open", "high", "low", "close", "volume")},
    )

    values = {fingerprint(b) for b in (btc_daily, renamed, retimed, copy_bars(btc_daily, ts=ts))}

    assert len(values) == 4


def test_fingerprint_when_source_path_differs_then_unchanged(btc_daily: Bars) -> None:
    moved = Bars(
        symbol=btc_daily.symbol,
        timeframe=btc_daily.timeframe,
        source="/elsewhere/BTCUSDT_1d.csv",
        **{n: getattr(btc_daily, n).copy() for n in ("ts", "open", "high", "low", "close", "volume")},
    )

    assert fingerprint(moved) == fingerprint(btc_daily)
