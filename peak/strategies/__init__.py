"""Pure strategies: bars in, target position out."""

from peak.strategies.bollinger import bollinger
from peak.strategies.breakout import breakout
from peak.strategies.ma_crossover import CROSS_REL_TOL, ma_crossover
from peak.strategies.macd import macd
from peak.strategies.mean_reversion import mean_reversion
from peak.strategies.momentum import momentum
from peak.strategies.registry import STRATEGIES, target_positions
from peak.strategies.rsi_reversion import rsi_reversion
from peak.strategies.trend_following import trend_following

__all__ = [
    "CROSS_REL_TOL",
    "STRATEGIES",
    "bollinger",
    "breakout",
    "ma_crossover",
    "macd",
    "mean_reversion",
    "momentum",
    "rsi_reversion",
    "target_positions",
    "trend_following",
]
