"""Targets for grid cells, with indicators shared between cells where the strategy allows it.

``ma_crossover`` reuses one SMA per distinct window across the whole grid (a 10 x 21 grid computes 31
averages instead of 420), within a memory budget; past the budget it computes per cell. Every other
strategy computes its targets per cell with its own numba kernel. Either way a cell's target equals
``peak.strategies.target_positions`` for its config exactly (a test pins this).
"""

from __future__ import annotations

import threading

import numpy as np
from numba import njit

from peak.core.bars import Bars
from peak.indicators import sma
from peak.strategies import target_positions
from peak.strategies.ma_crossover import CROSS_REL_TOL

CACHE_BYTES = 512 * 1024 * 1024
"""Most memory the shared indicator cache may hold (64 SMAs of 1M bars)."""


@njit(cache=True, nogil=True)
def _cross_targets(
    fast_ma: np.ndarray, slow_ma: np.ndarray, slow: int, rel_tol: float, out: np.ndarray
) -> None:
    """The crossover rule of ``ma_crossover`` applied to precomputed averages."""
    for t in range(out.shape[0]):
        s = slow_ma[t]
        out[t] = 1.0 if t >= slow - 1 and fast_ma[t] - s > rel_tol * abs(s) else 0.0


class TargetSource:
    """``fill(strategy, out)`` writes the cell's target into ``out``; thread-safe."""

    def __init__(self, bars: Bars, cache_bytes: int = CACHE_BYTES) -> None:
        self._bars = bars
        self._close = np.ascontiguousarray(bars.close, dtype=np.float64)
        self._sma: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()
        self._budget = max(0, cache_bytes // max(1, self._close.nbytes))
        self.shared = 0
        """Cells served from the shared cache (reported in the grid summary)."""

    def _average(self, window: int) -> np.ndarray | None:
        with self._lock:
            cached = self._sma.get(window)
            if cached is not None or len(self._sma) >= self._budget:
                return cached
        values = sma(self._close, window)  # outside the lock: other workers keep going
        with self._lock:
            return self._sma.setdefault(window, values)

    def fill(self, strategy: object, out: np.ndarray) -> None:
        """Target exposure per bar for ``strategy`` (a strategy config model) into ``out``."""
        if getattr(strategy, "name", None) == "ma_crossover" and self._close.shape[0] > 0:
            fast_ma = self._average(strategy.fast)  # type: ignore[attr-defined]
            slow_ma = self._average(strategy.slow)  # type: ignore[attr-defined]
            if fast_ma is not None and slow_ma is not None:
                _cross_targets(fast_ma, slow_ma, strategy.slow, CROSS_REL_TOL, out)  # type: ignore[attr-defined]
                with self._lock:
                    self.shared += 1
                return
        out[:] = target_positions(self._bars, strategy)  # type: ignore[arg-type]
