"""The numba simulation kernel: one pass over the bars, state in local scalars, trades into preallocated
arrays.

Per bar t the kernel runs two phases, in this order, so that extensions slot in without reordering:

1. **fills at the open**: the target decided at the close of bar t-1 is traded at ``open[t]``;
2. **mark to the close**: ``equity[t] = cash + units * close[t]``.

This kernel is the all-in long/flat book only (the default configuration, kept lean for speed); shorts,
stops and other sizing rules run in ``peak.backtest.book``, which writes the same ``COL_*`` trade columns.
"""

from __future__ import annotations

import numpy as np
from numba import njit

# float columns of the trade buffer
COL_ENTRY_PRICE = 0
COL_EXIT_PRICE = 1
COL_UNITS = 2
COL_ENTRY_FEE = 3
COL_EXIT_FEE = 4
COL_PNL = 5
COL_RET = 6
N_FLOAT_COLS = 7
# int64 columns of the trade buffer (bar indices, turned into timestamps outside the kernel)
COL_ENTRY_BAR = 0
COL_EXIT_BAR = 1
N_INT_COLS = 2


@njit(cache=True)
def _fill_price(open_price: float, side: float, slip: float) -> float:
    """Fill price against the trader: ``side`` +1 buys at open*(1+s), -1 sells at open*(1-s)."""
    return open_price * (1.0 + side * slip)


@njit(cache=True)
def _entry_units(cash: float, price: float, fee_rate: float) -> float:
    """All-in sizing: the units whose notional plus fee spend all ``cash``."""
    return cash / (price * (1.0 + fee_rate))


@njit(cache=True)
def _record_trade(
    fbuf: np.ndarray,
    ibuf: np.ndarray,
    k: int,
    entry_bar: int,
    exit_bar: int,
    entry_price: float,
    exit_price: float,
    units: float,
    entry_fee: float,
    exit_fee: float,
    committed: float,
    proceeds: float,
) -> None:
    """Write closed trade ``k``; pnl = proceeds - cash committed at entry, so both fees are netted."""
    pnl = proceeds - committed
    ibuf[k, COL_ENTRY_BAR] = entry_bar
    ibuf[k, COL_EXIT_BAR] = exit_bar
    fbuf[k, COL_ENTRY_PRICE] = entry_price
    fbuf[k, COL_EXIT_PRICE] = exit_price
    fbuf[k, COL_UNITS] = units
    fbuf[k, COL_ENTRY_FEE] = entry_fee
    fbuf[k, COL_EXIT_FEE] = exit_fee
    fbuf[k, COL_PNL] = pnl
    fbuf[k, COL_RET] = pnl / committed


@njit(cache=True)
def simulate_long_all_in(
    open_: np.ndarray,
    close: np.ndarray,
    target: np.ndarray,
    fee_rate: float,
    slip: float,
    initial_cash: float,
    equity: np.ndarray,
    cash_out: np.ndarray,
    units_out: np.ndarray,
    fbuf: np.ndarray,
    ibuf: np.ndarray,
) -> int:
    """Long-only all-in simulation; fills the per-bar outputs and the trade buffers, returns the trade count.

    ``target[t] > 0`` means "be long from the open of bar t+1"; anything else means "be flat". The buffers
    must hold ``len(open_) // 2`` rows: every trade needs an entry bar and a later exit bar.
    A NaN target aborts the run and returns ``-1 - t`` for the offending index t (checked here rather than in
    a separate numpy pass because the engine is memory-bound at 1M bars; the last target is never read).
    """
    cash, units, n_trades = initial_cash, 0.0, 0
    entry_bar, entry_price, committed = -1, 0.0, 0.0  # the open trade, if units > 0
    for t in range(open_.shape[0]):
        if t > 0:  # bar 0 has no earlier signal to act on
            signal = target[t - 1]
            if np.isnan(signal):
                return -t  # == -1 - (t - 1)
            if signal > 0.0 and units == 0.0:
                entry_price = _fill_price(open_[t], 1.0, slip)
                units = _entry_units(cash, entry_price, fee_rate)
                committed, cash, entry_bar = cash, 0.0, t  # all-in: the whole balance is spent, fee included
            elif signal <= 0.0 and units > 0.0:
                price = _fill_price(open_[t], -1.0, slip)
                proceeds = units * price * (1.0 - fee_rate)
                cash += proceeds
                _record_trade(
                    fbuf,
                    ibuf,
                    n_trades,
                    entry_bar,
                    t,
                    entry_price,
                    price,
                    units,
                    units * entry_price * fee_rate,
                    units * price * fee_rate,
                    committed,
                    proceeds,
                )
                n_trades += 1
                units = 0.0
        equity[t] = cash + units * close[t]
        cash_out[t] = cash
        units_out[t] = units
    return n_trades
