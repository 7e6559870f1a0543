"""Pure strategies: bars in, target position out."""

from typing import TYPE_CHECKING

from peak.core.lazy import lazy_exports

if TYPE_CHECKING:
    from peak.strategies.ma_crossover import CROSS_REL_TOL, ma_crossover
    from peak.strategies.registry import STRATEGIES, target_positions

__all__ = ["CROSS_REL_TOL", "STRATEGIES", "ma_crossover", "target_positions"]
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "CROSS_REL_TOL": "peak.strategies.ma_crossover",
        "ma_crossover": "peak.strategies.ma_crossover",
        "STRATEGIES": "peak.strategies.registry",
        "target_positions": "peak.strategies.registry",
    },
)
