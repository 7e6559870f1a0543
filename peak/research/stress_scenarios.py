"""Pure market shocks for stress tests: scenario models and the bar transforms that apply them.

Each scenario is anchored at ``at``: a fraction of the data's time span (0.5 = middle) or an ISO-8601
UTC timestamp. Transforms return new ``Bars``; the input is never modified.
Example: ``apply_scenario(bars, CrashBar(drop=0.2), shock_time([bars], 0.5))``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from peak.core.bars import Bars
from peak.core.config import FrozenModel
from peak.core.errors import ConfigError

Anchor = Annotated[float, Field(ge=0.0, le=1.0)] | str


class _Scenario(FrozenModel):
    at: Anchor = 0.5

    def slippage_multiplier(self) -> float:
        """Factor on the run's slippage; 1.0 unless the scenario thins liquidity."""
        return 1.0


class CrashBar(_Scenario):
    """Price falls by ``drop`` (fraction, e.g. 0.2 = -20 %) inside the shock bar and stays there."""

    kind: Literal["crash_bar"] = "crash_bar"
    drop: float = Field(0.2, gt=0.0, lt=1.0)


class VolSpike(_Scenario):
    """Log moves of ``bars`` bars from the shock bar are multiplied by ``factor`` (e.g. 3.0)."""

    kind: Literal["vol_spike"] = "vol_spike"
    factor: float = Field(3.0, gt=0.0)
    bars: int = Field(168, ge=1)


class Gap(_Scenario):
    """From the shock bar on, prices jump by ``size`` (fraction, e.g. -0.1 = 10 % gap down)."""

    kind: Literal["gap"] = "gap"
    size: float = Field(-0.1, gt=-1.0, lt=10.0)

    @field_validator("size")
    @classmethod
    def _nonzero(cls, value: float) -> float:
        if value == 0.0:
            raise ValueError("gap size must be nonzero")
        return value


class LiquidityDrop(_Scenario):
    """Volume × ``volume_factor`` over ``bars`` bars; slippage × ``slippage_multiplier``.

    The engine takes one slippage number per run, so the caller applies the multiplier to the whole
    run: a conservative bound on the cost of the thin window.
    """

    kind: Literal["liquidity_drop"] = "liquidity_drop"
    slippage_multiplier_: float = Field(5.0, ge=1.0, alias="slippage_multiplier")
    volume_factor: float = Field(0.2, gt=0.0, le=1.0)
    bars: int = Field(168, ge=1)

    def slippage_multiplier(self) -> float:
        """Factor on the run's slippage (≥ 1), e.g. 5.0."""
        return self.slippage_multiplier_


class FlashRally(_Scenario):
    """The shock bar's high and close spike by ``rise`` (e.g. 0.15); the next bar opens back down."""

    kind: Literal["flash_rally"] = "flash_rally"
    rise: float = Field(0.15, gt=0.0)


StressScenario = Annotated[
    CrashBar | VolSpike | Gap | LiquidityDrop | FlashRally, Field(discriminator="kind")
]


def _iso(ns: int) -> str:
    return pd.Timestamp(ns, tz="UTC").isoformat()


def _anchor_ns(start: int, end: int, at: float | str) -> int:
    if isinstance(at, str):
        try:
            stamp = pd.Timestamp(at)
        except ValueError as exc:
            raise ConfigError(f"stress anchor {at!r} is not an ISO-8601 timestamp") from exc
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        ns = int(stamp.value)
    else:
        if not 0.0 <= at <= 1.0:
            raise ConfigError(f"stress anchor fraction {at} must be in [0, 1]")
        ns = start + round(at * (end - start))
    if not start <= ns <= end:
        raise ConfigError(f"stress anchor {at!r} lies outside the data span {_iso(start)} .. {_iso(end)}")
    return ns


def shock_index(bars: Bars, at: float | str) -> int:
    """Index of the first bar whose open time is ≥ the anchor, e.g. ``shock_index(bars, 0.5)``."""
    ns = _anchor_ns(int(bars.ts[0]), int(bars.ts[-1]), at)
    return int(np.searchsorted(bars.ts, ns, side="left"))


def shock_time(bars_list: Sequence[Bars], at: float | str) -> int:
    """Anchor as UTC ns over the common span of all symbols, so a portfolio shocks at one moment."""
    if not bars_list:
        raise ConfigError("shock_time needs at least one symbol's bars")
    start = max(int(b.ts[0]) for b in bars_list)
    end = min(int(b.ts[-1]) for b in bars_list)
    if start > end:
        raise ConfigError(
            f"symbols do not overlap: latest start {_iso(start)} is after earliest end {_iso(end)}"
        )
    return _anchor_ns(start, end, at)


def _crash(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, k: int, s: CrashBar) -> None:
    f = 1.0 - s.drop
    o[k + 1 :] *= f
    h[k + 1 :] *= f
    lo[k + 1 :] *= f
    c[k + 1 :] *= f
    c[k] *= f
    lo[k] = min(lo[k] * f, o[k], c[k])


def _vol_spike(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, k: int, s: VolSpike) -> None:
    stop = min(k + s.bars, len(c))
    # previous close: the shock bar's moves are measured from bar k-1 (or its own open at index 0)
    prev = np.log(c[k - 1]) if k > 0 else np.log(o[0])
    logc = np.log(c[k:stop])
    prev_orig = np.concatenate(([prev], logc[:-1]))
    new_c = prev + s.factor * (logc - prev)  # telescoping: cumulative moves scale linearly
    prev_new = np.concatenate(([prev], new_c[:-1]))
    for arr in (o, h, lo):
        arr[k:stop] = np.exp(prev_new + s.factor * (np.log(arr[k:stop]) - prev_orig))
    scale = np.exp(new_c[-1]) / c[stop - 1]
    c[k:stop] = np.exp(new_c)
    for arr in (o, h, lo, c):
        arr[stop:] *= scale


def _flash(o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, k: int, s: FlashRally) -> None:
    h[k] = max(h[k], o[k] * (1.0 + s.rise), c[k] * (1.0 + s.rise))
    # the close spike is included so high >= close still holds; later bars stay original (full revert)
    c[k] *= 1.0 + s.rise


def apply_scenario(bars: Bars, scenario: StressScenario, at_ns: int) -> Bars:
    """New ``Bars`` with ``scenario`` applied at the first bar with ``ts >= at_ns`` (UTC ns).

    Example: ``apply_scenario(bars, Gap(size=-0.1), shock_time([bars], "2022-06-13T00:00:00Z"))``.
    """
    if len(bars) == 0 or at_ns > int(bars.ts[-1]):
        raise ConfigError(f"shock time {_iso(at_ns)} is after the last bar of {bars.symbol}")
    k = int(np.searchsorted(bars.ts, at_ns, side="left"))
    o, h, lo, c, v = (
        np.array(getattr(bars, n), dtype=np.float64) for n in ("open", "high", "low", "close", "volume")
    )
    if isinstance(scenario, CrashBar):
        _crash(o, h, lo, c, k, scenario)
    elif isinstance(scenario, VolSpike):
        _vol_spike(o, h, lo, c, k, scenario)
    elif isinstance(scenario, Gap):
        for arr in (o, h, lo, c):
            arr[k:] *= 1.0 + scenario.size
    elif isinstance(scenario, LiquidityDrop):
        v[k : k + scenario.bars] *= scenario.volume_factor
    else:
        _flash(o, h, lo, c, k, scenario)
    if not (np.all(np.isfinite(c)) and np.all(lo > 0.0)):
        raise ConfigError(f"scenario {scenario.kind} produced non-finite or non-positive prices")
    return Bars(
        symbol=bars.symbol,
        timeframe=bars.timeframe,
        ts=bars.ts.copy(),
        open=o,
        high=h,
        low=lo,
        close=c,
        volume=v,
        source=f"{bars.source}+stress:{scenario.kind}",
    )
