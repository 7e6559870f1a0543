"""Properties every registered strategy must have: causal, bounded, flat in warm-up, enters and exits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from peak.core.bars import Bars
from peak.indicators import adx, bollinger_bands, rsi, sma, zscore
from peak.indicators import macd as macd_lines
from peak.strategies import STRATEGIES, target_positions
from peak.strategies.config import (
    BollingerConfig,
    BreakoutConfig,
    MACDConfig,
    MACrossoverConfig,
    MeanReversionConfig,
    MomentumConfig,
    RSIReversionConfig,
    TrendFollowingConfig,
)
from peak.strategies.hysteresis import hold_positions
from tests.support.bars import load_shared_bars
from tests.unit.indicators.test_look_ahead import perturb_after

DEFAULTS = {
    cfg.name: cfg
    for cfg in (
        MACrossoverConfig(),
        RSIReversionConfig(),
        BollingerConfig(),
        MACDConfig(),
        MomentumConfig(),
        MeanReversionConfig(),
        BreakoutConfig(),
        TrendFollowingConfig(),
    )
}
# the short side exercises the -1 branch of the same state machines
SHORT_VARIANTS = {
    "rsi_reversion+short": RSIReversionConfig(allow_short=True),
    "bollinger+short": BollingerConfig(allow_short=True),
}
ALL_CONFIGS = {**DEFAULTS, **SHORT_VARIANTS}
N_BARS = 3_000


def test_registry_when_listed_then_every_strategy_has_a_default_config() -> None:
    assert set(STRATEGIES) == set(DEFAULTS)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", sorted(ALL_CONFIGS))
def test_strategy_when_bars_after_t_change_then_target_at_t_unchanged(
    market_dir: Path, name: str, seed: int
) -> None:
    bars = load_shared_bars(market_dir, "BTCUSDT", "1h").slice(0, N_BARS)
    rng = np.random.default_rng(seed)
    t = int(rng.integers(300, N_BARS - 1))
    base = target_positions(bars, ALL_CONFIGS[name])
    moved = target_positions(perturb_after(bars, t, rng), ALL_CONFIGS[name])
    np.testing.assert_array_equal(moved[: t + 1], base[: t + 1])


def _entries_exits(target: np.ndarray) -> tuple[int, int]:
    step = np.diff(np.concatenate([[0.0], target]))
    return int((step > 0).sum()), int((step < 0).sum())


@pytest.mark.parametrize("symbol", ["BTCUSDT", "ETHUSDT"])
@pytest.mark.parametrize("name", sorted(ALL_CONFIGS))
def test_strategy_when_real_hourly_data_then_enters_and_exits_repeatedly(
    market_dir: Path, name: str, symbol: str
) -> None:
    bars = load_shared_bars(market_dir, symbol, "1h")
    target = target_positions(bars, ALL_CONFIGS[name])
    long_entries, long_exits = _entries_exits(np.maximum(target, 0.0))
    assert long_entries >= 20 and long_exits >= long_entries - 1, (long_entries, long_exits)
    assert target.dtype == np.float64 and set(np.unique(target)) <= {-1.0, 0.0, 1.0}
    if name.endswith("+short"):
        short_entries, short_exits = _entries_exits(np.maximum(-target, 0.0))
        assert short_entries >= 20 and short_exits >= short_entries - 1
    else:
        assert target.min() >= 0.0


@pytest.mark.parametrize("name", sorted(ALL_CONFIGS))
def test_strategy_when_shorter_than_warm_up_then_flat(market_dir: Path, name: str) -> None:
    bars = load_shared_bars(market_dir, "BTCUSDT", "1h").slice(0, 10)
    np.testing.assert_array_equal(target_positions(bars, ALL_CONFIGS[name]), 0.0)


def test_target_positions_when_allow_short_false_then_never_negative(market_dir: Path) -> None:
    bars = load_shared_bars(market_dir, "ETHUSDT", "1h")
    assert target_positions(bars, RSIReversionConfig()).min() == 0.0
    assert target_positions(bars, RSIReversionConfig(allow_short=True)).min() == -1.0


def _rules_on_indicators(bars: Bars, cfg: Any) -> np.ndarray:
    """The unfused form: public indicator arrays, boolean rules, ``hold_positions``."""
    close = bars.close
    with np.errstate(invalid="ignore"):
        if cfg.name == "bollinger":
            lower, middle, upper = bollinger_bands(close, cfg.window, cfg.k)
            if not cfg.allow_short:
                return hold_positions(close < lower, close >= middle)
            return hold_positions(close < lower, close >= middle, close > upper, close <= middle)
        if cfg.name == "mean_reversion":
            z = zscore(close, cfg.window, cfg.ddof)
            return hold_positions(z < -cfg.entry_z, z > -cfg.exit_z)
        if cfg.name == "rsi_reversion":
            r = rsi(close, cfg.period)
            return hold_positions(r < cfg.entry, r > cfg.exit, r > cfg.short_entry, r < cfg.short_exit)
        if cfg.name == "macd":
            line, signal, _ = macd_lines(close, cfg.fast, cfg.slow, cfg.signal)
            return (line > signal).astype(np.float64)
        strength, plus_di, minus_di = adx(bars.high, bars.low, close, cfg.adx_period)
        ma = sma(close, cfg.ma_window)
        entry = (strength > cfg.adx_threshold) & (plus_di > minus_di) & (close > ma)
        exit_ = (strength < cfg.exit_threshold) | (minus_di > plus_di) | (close < ma)
        return hold_positions(entry, exit_)


FUSED = [
    BollingerConfig(window=20, k=2.0, allow_short=True),
    BollingerConfig(window=50, k=1.0),
    MeanReversionConfig(),
    MeanReversionConfig(window=20, entry_z=1.0, exit_z=-0.5, ddof=1),
    RSIReversionConfig(period=7, entry=35.0, exit=55.0, allow_short=True, short_entry=65.0, short_exit=45.0),
    MACDConfig(fast=5, slow=35, signal=5),
    TrendFollowingConfig(),
    TrendFollowingConfig(adx_period=7, adx_threshold=20.0, exit_threshold=15.0, ma_window=20),
]


@pytest.mark.parametrize("cfg", FUSED, ids=[f"{c.name}-{i}" for i, c in enumerate(FUSED)])
def test_strategy_when_fused_kernel_then_same_targets_as_rules_on_public_indicators(
    market_dir: Path, cfg: object
) -> None:
    bars = load_shared_bars(market_dir, "ETHUSDT", "1h")
    np.testing.assert_array_equal(target_positions(bars, cfg), _rules_on_indicators(bars, cfg))
