"""Pure strategies: bars in, target position out."""

from peak.strategies.ma_crossover import CROSS_REL_TOL, ma_crossover
from peak.strategies.registry import STRATEGIES, target_positions

__all__ = ["CROSS_REL_TOL", "STRATEGIES", "ma_crossover", "target_positions"]
