"""EMA (SMA seed), MACD and lookback return against plain Python on real BTC hourly data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from peak.indicators import ema, lookback_return, macd
from tests.support import reference_strategies as ref
from tests.support.bars import load_shared_bars

REL = 1e-9


def _as_array(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values])


def test_ema_when_small_series_then_seeded_with_sma_of_first_span() -> None:
    # seed (1 + 2) / 2 = 1.5; alpha = 2/3: 1.5 + 2/3 * 1.5 = 2.5, then 3.5
    np.testing.assert_allclose(ema(np.array([1.0, 2.0, 3.0, 4.0]), 2), [np.nan, 1.5, 2.5, 3.5])


@pytest.mark.parametrize(("fast", "slow", "signal"), [(12, 26, 9), (5, 35, 5)])
def test_macd_when_real_btc_then_matches_textbook(
    market_dir: Path, fast: int, slow: int, signal: int
) -> None:
    close = load_shared_bars(market_dir, "BTCUSDT", "1h").close
    want_line, want_sig = ref.macd(close.tolist(), fast, slow, signal)
    line, sig, hist = macd(close, fast, slow, signal)
    np.testing.assert_allclose(line, _as_array(want_line), rtol=REL, atol=0.0)
    np.testing.assert_allclose(sig, _as_array(want_sig), rtol=REL, atol=0.0)
    np.testing.assert_array_equal(hist, line - sig)
    assert np.isnan(sig[: slow + signal - 2]).all() and not np.isnan(sig[slow + signal - 2 :]).any()


def test_macd_when_fast_not_below_slow_then_value_error() -> None:
    with pytest.raises(ValueError, match="fast < slow"):
        macd(np.arange(50.0), 26, 12, 9)


def test_lookback_return_when_real_btc_then_simple_return_over_lookback(market_dir: Path) -> None:
    close = load_shared_bars(market_dir, "BTCUSDT", "1h").close
    got = lookback_return(close, 168)
    assert np.isnan(got[:168]).all()
    c = close.tolist()
    np.testing.assert_allclose(got[168:], [c[t] / c[t - 168] - 1.0 for t in range(168, len(c))], rtol=REL)
