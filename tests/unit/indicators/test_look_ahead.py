"""No indicator reads the future: changing bars after t leaves every output at t bit-identical."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from peak.core.bars import Bars
from peak.indicators import (
    adx,
    bollinger_bands,
    donchian_prior,
    ema,
    lookback_return,
    macd,
    rolling_std,
    rsi,
    sma,
    zscore,
)
from tests.support.bars import load_shared_bars

N_BARS = 3_000

INDICATORS: dict[str, Callable[[Bars], tuple[np.ndarray, ...]]] = {
    "sma": lambda b: (sma(b.close, 20),),
    "ema": lambda b: (ema(b.close, 20),),
    "rsi": lambda b: (rsi(b.close, 14),),
    "adx": lambda b: adx(b.high, b.low, b.close, 14),
    "macd": lambda b: macd(b.close, 12, 26, 9),
    "rolling_std": lambda b: (rolling_std(b.close, 20, 1),),
    "bollinger_bands": lambda b: bollinger_bands(b.close, 20, 2.0),
    "zscore": lambda b: (zscore(b.close, 50),),
    "donchian_prior": lambda b: donchian_prior(b.high, b.low, 20),
    "lookback_return": lambda b: (lookback_return(b.close, 24),),
}


def perturb_after(bars: Bars, t: int, rng: np.random.Generator) -> Bars:
    """Same bars up to t; every OHLC value after t scaled by its own random factor in [0.5, 1.5)."""
    cols = {}
    for name in ("open", "high", "low", "close", "volume"):
        arr = getattr(bars, name).copy()
        if name != "volume":
            arr[t + 1 :] *= rng.uniform(0.5, 1.5, size=arr.shape[0] - t - 1)
        cols[name] = arr
    return Bars(symbol=bars.symbol, timeframe=bars.timeframe, ts=bars.ts.copy(), **cols)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name", sorted(INDICATORS))
def test_indicator_when_bars_after_t_change_then_output_at_t_unchanged(
    market_dir: Path, name: str, seed: int
) -> None:
    bars = load_shared_bars(market_dir, "BTCUSDT", "1h").slice(0, N_BARS)
    rng = np.random.default_rng(seed)
    t = int(rng.integers(100, N_BARS - 1))
    base = INDICATORS[name](bars)
    moved = INDICATORS[name](perturb_after(bars, t, rng))
    for b, m in zip(base, moved, strict=True):
        np.testing.assert_array_equal(m[: t + 1], b[: t + 1])
        assert not np.array_equal(m[t + 1 :], b[t + 1 :])  # the perturbation reached the output
