"""Seeded geometric Brownian motion bars, only for an explicit ``data=synthetic``."""

from __future__ import annotations

import numpy as np

from peak.core.bars import Bars
from peak.core.timeframe import Timeframe
from peak.data.config import SyntheticData
from peak.data.timestamps import parse_instant


def synthetic_bars(cfg: SyntheticData) -> Bars:
    """Seeded GBM bars: the same config gives the same bars in every process.

    Log returns per bar are normal with mean ``(annual_drift - annual_volatility**2 / 2) * dt`` and standard
    deviation ``annual_volatility * sqrt(dt)``, ``dt = 1 / bars_per_year`` (1/8760 for 1h). Each open is the
    previous close; high/low extend beyond max/min(open, close) by a half-normal fraction of one bar's
    volatility; volume is lognormal (always > 0). The first bar opens at ``start`` floored to the timeframe.
    Example: ``synthetic_bars(SyntheticData(n_bars=500, seed=7))`` → 500 hourly bars of ``SYN/USD``.
    """
    tf = Timeframe.parse(cfg.timeframe)
    rng = np.random.default_rng(cfg.seed)
    n = cfg.n_bars
    dt = 1.0 / tf.bars_per_year
    sigma = cfg.annual_volatility
    log_ret = (cfg.annual_drift - 0.5 * sigma**2) * dt + sigma * np.sqrt(dt) * rng.standard_normal(n)
    close = cfg.initial_price * np.exp(np.cumsum(log_ret))
    open_ = np.concatenate(([cfg.initial_price], close[:-1]))
    wiggle = np.abs(rng.standard_normal((2, n))) * sigma * np.sqrt(dt) * 0.5
    high = np.maximum(open_, close) * (1.0 + wiggle[0])
    low = np.minimum(open_, close) * (1.0 - np.minimum(wiggle[1], 0.5))
    volume = rng.lognormal(mean=3.0, sigma=0.5, size=n)
    first = (parse_instant(cfg.start, key="data.start") // tf.ns) * tf.ns
    ts = first + np.arange(n, dtype=np.int64) * tf.ns
    return Bars(
        symbol=cfg.symbol,
        timeframe=tf,
        ts=ts,
        open=open_,
        high=high,
        low=low,
        close=close,
        volume=volume,
        source=f"synthetic(seed={cfg.seed})",
    )
