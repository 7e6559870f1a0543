"""Synthetic GBM bars: only on request, deterministic per seed, valid OHLC, annualised by the timeframe."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peak.data import fingerprint, load_bars, synthetic_bars
from peak.data.checks import check_time, check_values
from peak.data.config import SyntheticData


def test_synthetic_bars_when_same_seed_then_identical_and_other_seed_differs() -> None:
    cfg = SyntheticData(n_bars=2_000, seed=42)

    first, second = synthetic_bars(cfg), synthetic_bars(cfg)
    other = synthetic_bars(SyntheticData(n_bars=2_000, seed=43))

    assert fingerprint(first) == fingerprint(second)
    assert fingerprint(other) != fingerprint(first)


@pytest.mark.parametrize("timeframe", ["15m", "1h", "1d"])
def test_synthetic_bars_when_generated_then_valid_ohlc_positive_volume_and_passes_checks(
    timeframe: str,
) -> None:
    bars = synthetic_bars(SyntheticData(n_bars=5_000, seed=3, timeframe=timeframe, annual_volatility=2.0))
    frame = bars.to_frame()

    assert (bars.high >= np.maximum(bars.open, bars.close)).all()
    assert (bars.low <= np.minimum(bars.open, bars.close)).all()
    assert (bars.low > 0).all() and (bars.volume > 0).all()
    check_values(frame, source="synthetic", columns={})
    check_time(bars.ts, bars.timeframe, source="synthetic", column="ts")


def test_synthetic_bars_when_configured_then_symbol_start_and_length_from_config() -> None:
    cfg = SyntheticData(symbol="ABC/USD", n_bars=10, start="2021-03-01T00:00:00Z", timeframe="4h")

    bars = synthetic_bars(cfg)

    assert (bars.symbol, bars.timeframe.text, len(bars)) == ("ABC/USD", "4h", 10)
    assert bars.start == pd.Timestamp("2021-03-01", tz="UTC")
    assert bars.open[0] == cfg.initial_price


def test_synthetic_bars_when_many_bars_then_volatility_scaled_to_bar_length() -> None:
    bars = synthetic_bars(SyntheticData(n_bars=200_000, seed=1, timeframe="1h", annual_volatility=0.8))

    per_bar = np.std(np.diff(np.log(bars.close)))

    assert per_bar == pytest.approx(0.8 / np.sqrt(8760), rel=0.01)


def test_load_bars_when_synthetic_then_report_and_fingerprint() -> None:
    loaded = load_bars(SyntheticData(n_bars=100, seed=5))

    assert loaded.quality.n_bars == 100 and loaded.quality.gap_count == 0
    assert loaded.fingerprint == fingerprint(loaded.bars)
    assert loaded.bars.symbol == "SYN/USD"
