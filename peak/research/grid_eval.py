"""Numba metric rows for grid cells: the ``compute_metrics`` set plus per-block return summaries, without
keeping any equity curve.

A row holds ``METRIC_NAMES`` in order (NaN where ``compute_metrics`` gives None). The block summaries
(mean and sum of squared deviations of the bar returns in ``n_blocks`` contiguous blocks, the oldest
``T mod n_blocks`` returns dropped) feed the PBO of the whole grid (``pbo_from_blocks``) at 2 x n_blocks
numbers per cell. Every function here releases the GIL, so grid workers run on all cores.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from peak.metrics.summary import METRIC_NAMES

N_METRICS = len(METRIC_NAMES)
(
    M_FINAL,
    M_TOTAL_RETURN,
    M_CAGR,
    M_SHARPE,
    M_SORTINO,
    M_MAX_DRAWDOWN,
    M_PROFIT_FACTOR,
    M_N_TRADES,
    M_WIN_RATE,
    M_EXPOSURE,
    M_AVG_TRADE_RETURN,
) = range(N_METRICS)
if METRIC_NAMES[M_SHARPE] != "sharpe" or METRIC_NAMES[M_AVG_TRADE_RETURN] != "avg_trade_return":
    raise RuntimeError("grid_eval row layout is out of step with peak.metrics.METRIC_NAMES")


# The reductions below may reorder their sums ("reassoc") so that numba vectorises them (10x on a plain
# sum here). The order is fixed at compile time, so results stay deterministic; they differ from numpy's
# pairwise sums only in the last bits (the grid/engine parity test allows 1e-9 relative).


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def _returns(equity: np.ndarray, out: np.ndarray) -> float:
    """Bar returns into ``out`` (each divided out once: division is the costly step); returns their sum."""
    total = 0.0
    for t in range(equity.shape[0] - 1):
        r = equity[t + 1] / equity[t] - 1.0
        out[t] = r
        total += r
    return total


@njit(cache=True, nogil=True)
def _max_drawdown(equity: np.ndarray) -> float:
    """``peak.metrics.max_drawdown`` dividing only when a deeper trough appears."""
    peak, floor, worst = equity[0], equity[0], 0.0
    for t in range(1, equity.shape[0]):
        e = equity[t]
        if e > peak:
            peak = e
            floor = peak * (1.0 - worst)
        elif e < floor:
            worst = 1.0 - e / peak
            floor = e
    return worst


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def _bars_held(units: np.ndarray) -> int:
    held = 0
    for t in range(units.shape[0]):
        held += units[t] != 0.0
    return held


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def _deviations(
    returns: np.ndarray, lo: int, hi: int, mean: float, centre: float
) -> tuple[float, float, float]:
    """Over ``returns[lo:hi]``: sum of squared deviations from ``mean``, sum of squared negative returns
    and sum of squared deviations from ``centre`` (branch-free, so it vectorises)."""
    sq, down, m2 = 0.0, 0.0, 0.0
    part = returns[lo:hi]  # a view indexed from 0: numba then omits negative-index checks and vectorises
    for i in range(part.shape[0]):
        r = part[i]
        neg = min(r, 0.0)
        sq += (r - mean) * (r - mean)
        down += neg * neg
        m2 += (r - centre) * (r - centre)
    return sq, down, m2


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def _sum(values: np.ndarray, lo: int, hi: int) -> float:
    total = 0.0
    part = values[lo:hi]  # see _deviations
    for i in range(part.shape[0]):
        total += part[i]
    return total


@njit(cache=True, nogil=True, fastmath={"reassoc"})
def _second_pass(
    returns: np.ndarray,
    total: float,
    bars_per_year: float,
    row: np.ndarray,
    block_mean: np.ndarray,
    block_m2: np.ndarray,
) -> None:
    """Sharpe and Sortino (``peak.metrics`` formulas; deviations from the mean like numpy's two-pass std)
    and each CSCV block's mean and sum of squared deviations (the oldest remainder dropped)."""
    n_ret = returns.shape[0]
    n_blocks = block_mean.shape[0]
    length = n_ret // n_blocks
    first = n_ret - length * n_blocks
    mean = total / n_ret if n_ret > 0 else math.nan
    sq, down, _ = _deviations(returns, 0, first, mean, 0.0)
    for b in range(n_blocks):
        lo = first + b * length
        centre = _sum(returns, lo, lo + length) / length if length > 0 else 0.0
        part_sq, part_down, m2 = _deviations(returns, lo, lo + length, mean, centre)
        sq += part_sq
        down += part_down
        block_mean[b] = centre
        block_m2[b] = m2
    return_ratios(n_ret, mean, sq, down, bars_per_year, row)


@njit(cache=True, nogil=True)
def return_ratios(
    n_ret: int, mean: float, sq: float, down: float, bars_per_year: float, row: np.ndarray
) -> None:
    """Sharpe (``sq``: sum of squared deviations from ``mean``) and Sortino (``down``: sum of squared
    negative returns) into ``row``, NaN where ``peak.metrics`` gives None."""
    scale = math.sqrt(bars_per_year)
    row[M_SHARPE] = math.nan
    if n_ret >= 2:
        std = math.sqrt(sq / (n_ret - 1))
        if std != 0.0 and math.isfinite(std):
            row[M_SHARPE] = mean / std * scale
    row[M_SORTINO] = math.nan
    if n_ret > 0 and down > 0.0:
        row[M_SORTINO] = mean / math.sqrt(down / n_ret) * scale


@njit(cache=True, nogil=True)
def trade_ratios(
    count: float, gain: float, loss: float, wins: float, ret_sum: float, row: np.ndarray
) -> None:
    """Trade count, profit factor, win rate and mean trade return from closed-trade sums into ``row``."""
    row[M_N_TRADES] = count
    row[M_PROFIT_FACTOR] = math.nan
    if count > 0:
        if loss > 0.0:
            row[M_PROFIT_FACTOR] = gain / loss
        elif gain > 0.0:
            row[M_PROFIT_FACTOR] = math.inf
    row[M_WIN_RATE] = wins / count if count > 0 else math.nan
    row[M_AVG_TRADE_RETURN] = ret_sum / count if count > 0 else math.nan


@njit(cache=True, nogil=True)
def _trade_stats(pnl: np.ndarray, ret: np.ndarray, row: np.ndarray) -> None:
    gain, loss, wins, ret_sum = 0.0, 0.0, 0.0, 0.0
    for i in range(pnl.shape[0]):
        if pnl[i] > 0.0:
            gain += pnl[i]
            wins += 1.0
        elif pnl[i] < 0.0:
            loss -= pnl[i]
        ret_sum += ret[i]
    trade_ratios(float(pnl.shape[0]), gain, loss, wins, ret_sum, row)


@njit(cache=True, nogil=True)
def metrics_row(
    equity: np.ndarray,
    units: np.ndarray,
    pnl: np.ndarray,
    ret: np.ndarray,
    initial_cash: float,
    bars_per_year: float,
    returns: np.ndarray,
    row: np.ndarray,
    block_mean: np.ndarray,
    block_m2: np.ndarray,
) -> None:
    """Fill ``row`` (``METRIC_NAMES`` order, NaN = undefined) and the block summaries of one finished run;
    ``returns`` is a work buffer of at least ``len(equity) - 1`` floats."""
    n = equity.shape[0]
    final = equity[n - 1]
    row[M_FINAL] = final
    row[M_TOTAL_RETURN] = final / initial_cash - 1.0
    if final <= 0.0:
        row[M_CAGR] = -1.0
    else:
        row[M_CAGR] = (final / initial_cash) ** (1.0 / (n / bars_per_year)) - 1.0
    bar_rets = returns[: n - 1]
    total = _returns(equity, bar_rets)
    row[M_MAX_DRAWDOWN] = _max_drawdown(equity)
    row[M_EXPOSURE] = _bars_held(units) / n
    _second_pass(bar_rets, total, bars_per_year, row, block_mean, block_m2)
    _trade_stats(pnl, ret, row)
