"""Stress scenario models and bar transforms on hand-made and real bars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from peak.core.errors import ConfigError
from peak.research.stress_scenarios import (
    CrashBar,
    FlashRally,
    Gap,
    LiquidityDrop,
    StressScenario,
    VolSpike,
    apply_scenario,
    shock_index,
    shock_time,
)
from tests.support.bars import load_shared_bars, make_bars

OPEN = [100.0, 101.0, 102.0, 103.0, 104.0]
CLOSE = [101.0, 102.0, 103.0, 104.0, 105.0]
ADAPTER = TypeAdapter(StressScenario)


def _small():
    return make_bars(OPEN, CLOSE)


def test_crash_bar_when_applied_then_close_drops_and_later_bars_scale() -> None:
    bars = _small()
    out = apply_scenario(bars, CrashBar(drop=0.2), int(bars.ts[2]))
    assert out.close[2] == pytest.approx(103.0 * 0.8)
    assert out.open[2] == 102.0
    assert out.low[2] <= min(out.open[2], out.close[2])
    np.testing.assert_allclose(out.close[3:], np.array(CLOSE[3:]) * 0.8, rtol=1e-15)
    np.testing.assert_array_equal(out.close[:2], bars.close[:2])
    assert out.source.endswith("+stress:crash_bar")


def test_gap_when_applied_then_open_over_previous_close_jumps() -> None:
    bars = _small()
    out = apply_scenario(bars, Gap(size=-0.1), int(bars.ts[2]))
    ratio = out.open[2] / out.close[1]
    assert ratio == pytest.approx(0.9 * bars.open[2] / bars.close[1], rel=1e-12)
    np.testing.assert_allclose(out.close[2:], bars.close[2:] * 0.9, rtol=1e-15)


def test_flash_rally_when_applied_then_spike_reverts_next_bar() -> None:
    bars = _small()
    out = apply_scenario(bars, FlashRally(rise=0.15), int(bars.ts[1]))
    assert out.close[1] == pytest.approx(102.0 * 1.15)
    assert out.high[1] >= 101.0 * 1.15
    assert out.open[2] == bars.open[2]
    np.testing.assert_array_equal(out.close[2:], bars.close[2:])


def test_liquidity_drop_when_applied_then_volume_scaled_only_in_window() -> None:
    bars = _small()
    scenario = LiquidityDrop(bars=2, volume_factor=0.2)
    out = apply_scenario(bars, scenario, int(bars.ts[1]))
    np.testing.assert_allclose(out.volume, [1.0, 0.2, 0.2, 1.0, 1.0])
    np.testing.assert_array_equal(out.close, bars.close)
    assert scenario.slippage_multiplier() == 5.0
    assert CrashBar().slippage_multiplier() == 1.0


def test_vol_spike_when_applied_then_window_log_returns_scale() -> None:
    bars = _small()
    out = apply_scenario(bars, VolSpike(factor=3.0, bars=2), int(bars.ts[1]))
    orig = np.diff(np.log(bars.close))
    new = np.diff(np.log(out.close))
    np.testing.assert_allclose(new[:2], 3.0 * orig[:2], rtol=1e-12)
    np.testing.assert_allclose(new[2:], orig[2:], rtol=1e-12)


@pytest.mark.parametrize("kind", ["crash_bar", "vol_spike", "gap", "liquidity_drop", "flash_rally"])
def test_apply_scenario_when_real_data_then_ohlc_consistent(market_dir: Path, kind: str) -> None:
    bars = load_shared_bars(market_dir, "BTCUSDT", "1h")
    out = apply_scenario(bars, ADAPTER.validate_python({"kind": kind}), shock_time([bars], 0.5))
    assert np.all(out.high >= np.maximum(out.open, out.close) * (1 - 1e-12))
    assert np.all(out.low <= np.minimum(out.open, out.close) * (1 + 1e-12))
    assert np.all(out.low > 0) and np.all(np.isfinite(out.high)) and np.all(out.volume >= 0)


def test_shock_index_when_fraction_or_iso_then_first_bar_at_or_after() -> None:
    bars = _small()
    assert shock_index(bars, 0.5) == 2
    assert shock_index(bars, 0.0) == 0
    assert shock_index(bars, "2024-01-01T01:30:00Z") == 2


def test_shock_index_when_out_of_range_then_error_names_span() -> None:
    with pytest.raises(ConfigError, match="2024-01-01T00:00:00"):
        shock_index(_small(), "2023-01-01T00:00:00Z")
    with pytest.raises(ConfigError, match="ISO"):
        shock_index(_small(), "not a time")


def test_shock_time_when_spans_differ_then_uses_intersection() -> None:
    a = make_bars([1.0] * 10, [1.0] * 10)
    b = a.slice(4, 10)
    assert shock_time([a, b], 0.0) == int(a.ts[4])
    with pytest.raises(ConfigError, match="overlap"):
        shock_time([a.slice(0, 3), a.slice(5, 10)], 0.5)


def test_scenario_when_invalid_then_validation_error() -> None:
    with pytest.raises(ValidationError):
        CrashBar(drop=1.5)
    with pytest.raises(ValidationError):
        ADAPTER.validate_python({"kind": "gap", "sizee": 0.1})
