"""The MA-crossover strategy and the strategy registry."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from peak.core.errors import ConfigError
from peak.indicators import sma
from peak.strategies import CROSS_REL_TOL, STRATEGIES, ma_crossover, target_positions
from peak.strategies.config import MACrossoverConfig
from tests.support.bars import load_shared_bars, make_bars


def test_ma_crossover_when_textbook_series_then_long_only_while_fast_above_slow() -> None:
    close = np.array([1.0, 2.0, 3.0, 2.0, 1.0])
    # SMA1 = close; SMA2 = [nan, 1.5, 2.5, 2.5, 1.5]
    np.testing.assert_array_equal(ma_crossover(close, 1, 2), [0.0, 1.0, 1.0, 0.0, 0.0])


def test_ma_crossover_when_warm_up_then_flat_even_in_uptrend() -> None:
    out = ma_crossover(np.arange(1.0, 11.0), 2, 5)
    np.testing.assert_array_equal(out[:4], 0.0)
    np.testing.assert_array_equal(out[4:], 1.0)


@pytest.mark.parametrize(("fast", "slow"), [(1, 2), (10, 50), (50, 2000)])
def test_ma_crossover_when_real_btc_then_bit_identical_to_comparing_sma_arrays(
    market_dir: Path, fast: int, slow: int
) -> None:
    # the fused kernel must compare exactly the averages that sma() returns
    close = load_shared_bars(market_dir, "BTCUSDT", "1h").close
    fast_ma, slow_ma = sma(close, fast), sma(close, slow)
    with np.errstate(invalid="ignore"):
        want = (fast_ma - slow_ma > CROSS_REL_TOL * np.abs(slow_ma)).astype(np.float64)
    np.testing.assert_array_equal(ma_crossover(close, fast, slow), want)


def test_ma_crossover_when_close_has_inf_then_value_error_names_index() -> None:
    with pytest.raises(ValueError, match="index 3"):
        ma_crossover(np.array([1.0, 2.0, 3.0, np.inf, 5.0]), 1, 2)


@pytest.mark.parametrize("price", [0.1, 1.0 / 3.0, 7171.55, 65_000.01])
def test_ma_crossover_when_flat_market_then_never_long(price: float) -> None:
    # equal averages may differ by ulps; the relative margin keeps float noise from trading
    assert not ma_crossover(np.full(500, price), 3, 7).any()


@pytest.mark.parametrize(("fast", "slow"), [(0, 5), (5, 5), (6, 5)])
def test_ma_crossover_when_windows_not_increasing_then_value_error(fast: int, slow: int) -> None:
    with pytest.raises(ValueError, match="fast < slow"):
        ma_crossover(np.arange(10.0), fast, slow)


def test_target_positions_when_ma_crossover_config_then_dispatches_to_ma_crossover() -> None:
    close = 100.0 + np.sin(np.arange(200) / 7.0) * 5.0
    bars = make_bars(close.tolist(), close.tolist())
    got = target_positions(bars, MACrossoverConfig(fast=3, slow=10))
    np.testing.assert_array_equal(got, ma_crossover(close, 3, 10))
    assert got.dtype == np.float64 and "ma_crossover" in STRATEGIES


def test_target_positions_when_unknown_name_then_config_error_lists_known() -> None:
    bars = make_bars([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ConfigError, match=r"known: .*ma_crossover"):
        target_positions(bars, SimpleNamespace(name="nope"))  # type: ignore[arg-type]
