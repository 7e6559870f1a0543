"""Name → strategy function, so callers dispatch on ``cfg.name`` without knowing every strategy."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from peak.core.bars import Bars
from peak.core.errors import ConfigError
from peak.strategies.bollinger import bollinger_targets
from peak.strategies.breakout import breakout_targets
from peak.strategies.config import StrategyConfig
from peak.strategies.ma_crossover import ma_crossover_targets
from peak.strategies.macd import macd_targets
from peak.strategies.mean_reversion import mean_reversion_targets
from peak.strategies.momentum import momentum_targets
from peak.strategies.rsi_reversion import rsi_reversion_targets
from peak.strategies.trend_following import trend_following_targets

StrategyFn = Callable[[Bars, Any], np.ndarray]
"""Bars and the strategy's own config model in, one float64 target exposure per bar out."""

STRATEGIES: Mapping[str, StrategyFn] = MappingProxyType(
    {
        "ma_crossover": ma_crossover_targets,
        "rsi_reversion": rsi_reversion_targets,
        "bollinger": bollinger_targets,
        "macd": macd_targets,
        "momentum": momentum_targets,
        "mean_reversion": mean_reversion_targets,
        "breakout": breakout_targets,
        "trend_following": trend_following_targets,
    }
)
"""Every strategy by its config ``name``; a new strategy adds one entry here and one config model."""


def target_positions(bars: Bars, cfg: StrategyConfig) -> np.ndarray:
    """Target exposure per bar for ``cfg``: float64, same length as ``bars``, 1.0 = all-in long, 0.0 = flat,
    -1.0 = short (strategies with ``allow_short``; the engine shorts only with ``portfolio.allow_short``).

    ``out[t]`` depends on bars ``[0, t]`` only; the engine acts on it at the open of bar t + 1.
    Example: ``target_positions(bars, MACrossoverConfig(fast=20, slow=50))`` → ``array([0., 0., ..., 1.])``.

    Raises ``ConfigError`` for a strategy name with no registered function.
    """
    fn = STRATEGIES.get(cfg.name)
    if fn is None:
        raise ConfigError(f"strategy {cfg.name!r} is not registered; known: {', '.join(sorted(STRATEGIES))}")
    target = fn(bars, cfg)
    if target.shape != (len(bars),):
        # A strategy bug, not a user error: keep the traceback.
        raise ValueError(f"strategy {cfg.name!r} returned shape {target.shape}; expected ({len(bars)},)")
    return target
