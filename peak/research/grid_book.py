"""One pass per grid cell for the default book (all-in long/flat, flat fee, fixed slippage): fills, marks
and every metric together, with no per-bar array written at all.

The trading rules are those of ``peak.backtest.kernel.simulate_long_all_in`` line for line (fill at the
next open against the trader, all-in units net of the fee, pnl net of both fees); the metrics are those
of ``peak.metrics.compute_metrics``. Keeping nothing per bar makes a cell cost about one pass over open,
close and target: ~3x less than simulating into arrays and reading them back, which is what lets a grid
reach thousands of cells per second. ``tests/unit/research/test_grid.py`` pins every metric of every
cell against the engine itself.

Variances come from running sums (sum, sum of squares): bar returns have |mean| far below their standard
deviation, so the cancellation costs no meaningful precision (~1e-13 relative, measured against numpy's
two-pass result), and a flat stretch (returns exactly 0) still gives exactly zero.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from peak.research.grid_eval import (
    M_CAGR,
    M_EXPOSURE,
    M_FINAL,
    M_MAX_DRAWDOWN,
    M_TOTAL_RETURN,
    return_ratios,
    trade_ratios,
)

C_FEE, C_SLIP, C_CASH, C_BARS_PER_YEAR = range(4)
"""Indices of the ``costs`` array: fee rate, slippage fraction, initial cash, bars per year."""
T_GAIN, T_LOSS, T_WINS, T_RET_SUM, T_COUNT = range(5)


@njit(cache=True, nogil=True, inline="always")
def _close_trade(units: float, price: float, fee: float, committed: float, trades: np.ndarray) -> float:
    """Sell all ``units`` at ``price``; book the trade's pnl net of both fees; return the proceeds."""
    proceeds = units * price * (1.0 - fee)
    pnl = proceeds - committed
    if pnl > 0.0:
        trades[T_GAIN] += pnl
        trades[T_WINS] += 1.0
    elif pnl < 0.0:
        trades[T_LOSS] -= pnl
    trades[T_RET_SUM] += pnl / committed
    trades[T_COUNT] += 1.0
    return proceeds


@njit(cache=True, nogil=True)
def evaluate_plain_fused(
    open_: np.ndarray,
    close: np.ndarray,
    target: np.ndarray,
    costs: np.ndarray,
    row: np.ndarray,
    block_mean: np.ndarray,
    block_m2: np.ndarray,
) -> int:
    """Simulate the default book on ``target`` and fill ``row`` (``METRIC_NAMES`` order, NaN = undefined)
    and the CSCV block summaries. Returns the number of closed trades, or ``-1 - t`` for a NaN target at t.
    """
    fee, slip, cash0, bpy = costs[C_FEE], costs[C_SLIP], costs[C_CASH], costs[C_BARS_PER_YEAR]
    n = close.shape[0]
    n_blocks = block_mean.shape[0]
    length = (n - 1) // n_blocks
    first = (n - 1) - length * n_blocks  # returns before this index are dropped, as CSCV does
    trades = np.zeros(5)
    cash, units, committed = cash0, 0.0, 0.0
    prev = cash0 + 0.0 * close[0]  # bar 0 never trades: equity[0] is the initial cash
    peak, floor, worst = prev, prev, 0.0
    s1 = s2 = down = 0.0
    b, b_pos, b1, b2 = 0, 0, 0.0, 0.0
    held = 0
    for t in range(1, n):
        signal = target[t - 1]
        if np.isnan(signal):
            return -t
        if signal > 0.0 and units == 0.0:
            price = open_[t] * (1.0 + slip)
            units = cash / (price * (1.0 + fee))
            committed, cash = cash, 0.0
        elif signal <= 0.0 and units > 0.0:
            cash += _close_trade(units, open_[t] * (1.0 - slip), fee, committed, trades)
            units = 0.0
        equity = cash + units * close[t]
        r = equity / prev - 1.0
        prev = equity
        s1 += r
        s2 += r * r
        if r < 0.0:
            down += r * r
        if t - 1 >= first and length > 0:
            b1 += r
            b2 += r * r
            b_pos += 1
            if b_pos == length:
                block_mean[b] = b1 / length
                block_m2[b] = max(0.0, b2 - b1 * b1 / length)
                b, b_pos, b1, b2 = b + 1, 0, 0.0, 0.0
        if equity > peak:
            peak = equity
            floor = peak * (1.0 - worst)
        elif equity < floor:
            worst = 1.0 - equity / peak
            floor = equity
        if units != 0.0:
            held += 1
    if length == 0:
        block_mean[:] = 0.0
        block_m2[:] = 0.0
    row[M_FINAL] = prev
    row[M_TOTAL_RETURN] = prev / cash0 - 1.0
    row[M_CAGR] = -1.0 if prev <= 0.0 else (prev / cash0) ** (1.0 / (n / bpy)) - 1.0
    row[M_MAX_DRAWDOWN] = worst
    row[M_EXPOSURE] = held / n
    n_ret = n - 1
    mean = s1 / n_ret if n_ret > 0 else math.nan
    return_ratios(n_ret, mean, max(0.0, s2 - s1 * s1 / n_ret) if n_ret > 0 else 0.0, down, bpy, row)
    trade_ratios(trades[T_COUNT], trades[T_GAIN], trades[T_LOSS], trades[T_WINS], trades[T_RET_SUM], row)
    return int(trades[T_COUNT])
