"""The entry/exit state machine that every "hold until the exit rule fires" strategy shares."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def hold_step(pos: int, long_entry: bool, long_exit: bool, short_entry: bool, short_exit: bool) -> int:
    """Next position from the current one (1 long, -1 short, 0 flat) and this bar's four rule flags.

    Scalars only, so strategy kernels call it per bar without array reference counting; an int position
    keeps the bar-to-bar dependency short. An exit bar never re-enters: the next bar decides, so one bar
    cannot both close and open. Example: ``hold_step(1, False, True, False, False)`` → ``0``.
    """
    # bitwise, not short-circuit: rules flip unpredictably bar to bar, and selects avoid branch misses
    flat = pos == 0
    exits = ((pos > 0) & long_exit) | ((pos < 0) & short_exit)
    nxt = 1 if flat & long_entry else (-1 if flat & short_entry else pos)
    return 0 if exits else nxt


@njit(cache=True)
def _hold_kernel(
    long_entry: np.ndarray, long_exit: np.ndarray, short_entry: np.ndarray, short_exit: np.ndarray
) -> np.ndarray:
    n = long_entry.shape[0]
    out = np.zeros(n)
    pos = 0
    for t in range(n):
        pos = hold_step(pos, long_entry[t], long_exit[t], short_entry[t], short_exit[t])
        out[t] = pos
    return out


def hold_positions(
    long_entry: np.ndarray,
    long_exit: np.ndarray,
    short_entry: np.ndarray | None = None,
    short_exit: np.ndarray | None = None,
) -> np.ndarray:
    """Target per bar from boolean rule arrays: 1.0 long, -1.0 short, 0.0 flat.

    Flat → long on ``long_entry[t]`` (checked first), flat → short on ``short_entry[t]``; a position is held
    until its exit rule fires, and the bar that exits stays flat. Indicator NaNs compare False, so warm-up is
    flat. ``out[t]`` reads the rule arrays up to t only. Omit the short arrays for a long-only strategy.
    Example: ``hold_positions(np.array([1, 0, 0, 0], bool), np.array([0, 0, 1, 0], bool))``
    → ``[1, 1, 0, 0]``.
    """
    n = long_entry.shape[0]
    never = np.zeros(n, dtype=np.bool_)
    arrays = [long_entry, long_exit, never if short_entry is None else short_entry]
    arrays.append(never if short_exit is None else short_exit)
    if any(a.shape != (n,) for a in arrays):
        raise ValueError(f"rule arrays must all have shape ({n},); got {[a.shape for a in arrays]}")
    return _hold_kernel(*(np.ascontiguousarray(a, dtype=np.bool_) for a in arrays))
