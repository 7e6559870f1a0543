"""Time-series momentum: long after a strong ``lookback``-bar return, out once it fades."""

from __future__ import annotations

import numpy as np

from peak.core.bars import Bars
from peak.indicators import lookback_return
from peak.strategies.config import MomentumConfig
from peak.strategies.hysteresis import hold_positions


def momentum(close: np.ndarray, cfg: MomentumConfig) -> np.ndarray:
    """Target per bar: 1.0 from ``close[t]/close[t-lookback] - 1 > threshold`` until ``< exit_threshold``.

    Returns are fractions (0.02 = 2 %). 0.0 for the first ``lookback`` bars. ``exit_threshold <= threshold``
    gives a dead band so noise around one level does not trade every bar.
    Example: ``momentum(close, MomentumConfig(lookback=168))`` → ``[0., ..., 1., 0.]``.
    """
    ret = lookback_return(close, cfg.lookback)
    with np.errstate(invalid="ignore"):
        return hold_positions(ret > cfg.threshold, ret < cfg.exit_threshold)


def momentum_targets(bars: Bars, cfg: MomentumConfig) -> np.ndarray:
    """``momentum`` on ``bars.close``."""
    return momentum(bars.close, cfg)
