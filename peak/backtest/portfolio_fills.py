"""The portfolio kernel's data layout and per-fill accounting: parameter and state indices, fill prices,
lot rounding, booking one fill into a sleeve's round trip, and recording the finished trade.

``portfolio_kernel`` runs the bar loop on top of these; ``portfolio`` packs the parameter arrays.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from peak.backtest.book import N_PARAMS, _allocation
from peak.backtest.kernel import (
    COL_ENTRY_BAR,
    COL_ENTRY_FEE,
    COL_ENTRY_PRICE,
    COL_EXIT_BAR,
    COL_EXIT_FEE,
    COL_EXIT_PRICE,
    COL_PNL,
    COL_RET,
    COL_UNITS,
)

# global parameters (float64 array)
G_MAKER_FEE = 0
G_TAKER_FEE = 1
G_SLIP_KIND = 2  # SLIP_FIXED or SLIP_RANGE
G_SLIP = 3  # fraction of price (fixed) or share of the bar range (range)
G_VOLUME_CAP = 4  # share of bar volume, 0.0 = off
G_INITIAL_CASH = 5
G_MAX_LEVERAGE = 6
G_REBALANCE = 7  # one of the REBALANCE_* codes
G_REBALANCE_THRESHOLD = 8
N_GLOBAL = 9

SLIP_FIXED = 0
SLIP_RANGE = 1
REBALANCE_NONE = 0
REBALANCE_ON_SIGNAL = 1
REBALANCE_PERIODIC = 2

# per-sleeve parameters: the book layout (book.P_*) followed by these
S_WEIGHT = N_PARAMS
S_SYMBOL = N_PARAMS + 1
S_LOT = N_PARAMS + 2  # 0.0 = any quantity
S_MIN_QTY = N_PARAMS + 3
S_MIN_NOTIONAL = N_PARAMS + 4
N_SLEEVE_PARAMS = N_PARAMS + 5

COL_SLEEVE = 2  # extra int trade column: the sleeve index
N_PORTFOLIO_INT_COLS = 3

# per-sleeve state (float64 matrix, one row per sleeve)
A_UNITS = 0
A_CASH = 1
A_ENT_UNITS = 2
A_ENT_NOTIONAL = 3
A_ENT_FEE = 4
A_ENT_CASH = 5
A_COMMITTED = 6
A_EX_UNITS = 7
A_EX_NOTIONAL = 8
A_EX_FEE = 9
A_EX_CASH = 10
A_DESIRED = 11  # units the sleeve is working toward
A_WANT = 12  # side the signal asks for: -1, 0, 1
A_SIZED = 13  # 1.0 once the wanted side has been sized
A_BLOCKED = 14
A_EXTREME = 15
A_STOP = 16
A_TARGET = 17
A_TRAIL = 18
A_SIDE = 19  # side of the open round trip
N_STATE = 20

Book = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""(state, sleeve params, open-trade bars, sleeve → symbol row, volume room per symbol)"""
Quotes = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""(open, high, low, present), symbols × bars"""
TradeBuffers = tuple[np.ndarray, np.ndarray]
"""(float columns, int columns) of the closed-trade buffers"""

EXIT_NONE = 0
EXIT_STOP = 1
EXIT_TARGET = 2


@njit(cache=True, inline="always")
def _sign(x: float) -> float:
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0


@njit(cache=True, inline="always")
def _fill_price(ref: float, side: float, h: float, lo: float, gp: np.ndarray) -> float:
    """Fill price against the trader: ``side`` +1 buys, -1 sells. Fixed: ref × (1 ± s). Range: ref ± share
    × (high − low), clamped to the bar so a fill never lies outside the traded prices."""
    if gp[G_SLIP_KIND] == SLIP_FIXED:
        return ref * (1.0 + side * gp[G_SLIP])
    price = ref + side * gp[G_SLIP] * (h - lo)
    if side > 0.0:
        return min(price, h)
    return max(price, lo)


@njit(cache=True, inline="always")
def _round_lot(qty: float, lot: float) -> float:
    """Round a quantity down to the lot size; the 1e-9 nudge keeps exact multiples that float division
    put a hair below an integer."""
    if lot <= 0.0:
        return qty
    return math.floor(qty / lot + 1e-9) * lot


@njit(cache=True, inline="always")
def _fill(st: np.ndarray, ibar: np.ndarray, i: int, du: float, price: float, fee: float, t: int) -> float:
    """Trade ``du`` units of sleeve ``i`` at ``price``; books the leg and returns the cash flow."""
    cash_flow = -du * price - abs(du) * price * fee
    u0 = st[i, A_UNITS]
    q = abs(du)
    if u0 == 0.0 or (u0 > 0.0) == (du > 0.0):
        if u0 == 0.0:
            ibar[i, COL_ENTRY_BAR] = t
            st[i, A_SIDE] = _sign(du)
        st[i, A_ENT_UNITS] += q
        st[i, A_ENT_NOTIONAL] += q * price
        st[i, A_ENT_FEE] += q * price * fee
        st[i, A_ENT_CASH] += cash_flow
        st[i, A_COMMITTED] += q * price * (1.0 + fee)
    else:
        ibar[i, COL_EXIT_BAR] = t
        st[i, A_EX_UNITS] += q
        st[i, A_EX_NOTIONAL] += q * price
        st[i, A_EX_FEE] += q * price * fee
        st[i, A_EX_CASH] += cash_flow
    st[i, A_UNITS] = u0 + du
    st[i, A_CASH] += cash_flow
    return cash_flow


@njit(cache=True, inline="always")
def _record(st: np.ndarray, ibar: np.ndarray, i: int, fbuf: np.ndarray, ibuf: np.ndarray, k: int) -> None:
    """Write sleeve ``i``'s finished round trip as trade ``k`` and clear its accumulators."""
    ent_units, ex_units = st[i, A_ENT_UNITS], st[i, A_EX_UNITS]
    pnl = st[i, A_ENT_CASH] + st[i, A_EX_CASH]
    ibuf[k, COL_ENTRY_BAR] = ibar[i, COL_ENTRY_BAR]
    ibuf[k, COL_EXIT_BAR] = ibar[i, COL_EXIT_BAR]
    ibuf[k, COL_SLEEVE] = i
    fbuf[k, COL_ENTRY_PRICE] = st[i, A_ENT_NOTIONAL] / ent_units
    fbuf[k, COL_EXIT_PRICE] = st[i, A_EX_NOTIONAL] / ex_units
    fbuf[k, COL_UNITS] = st[i, A_SIDE] * ent_units
    fbuf[k, COL_ENTRY_FEE] = st[i, A_ENT_FEE]
    fbuf[k, COL_EXIT_FEE] = st[i, A_EX_FEE]
    fbuf[k, COL_PNL] = pnl
    fbuf[k, COL_RET] = pnl / st[i, A_COMMITTED]
    for col in range(A_ENT_UNITS, A_EX_CASH + 1):
        st[i, col] = 0.0


@njit(cache=True, inline="always")
def _book_value(st: np.ndarray, sym: np.ndarray, px: np.ndarray, cash: float) -> tuple[float, float]:
    """(total equity, gross exposure) with every position valued at ``px`` of its symbol."""
    equity, gross = cash, 0.0
    for i in range(st.shape[0]):
        u = st[i, A_UNITS]
        if u != 0.0:
            value = u * px[sym[i]]
            equity += value
            gross += abs(value)
    return equity, gross


@njit(cache=True, inline="always")
def _exit_level(o: float, h: float, lo: float, held: float, st: np.ndarray, i: int) -> tuple[int, float]:
    """(EXIT_* kind, raw exit price before slippage) of an intrabar stop, target or trailing stop; the
    stop wins when both could trigger, and a gap through a level fills at the open."""
    stop, target, trail, extreme = st[i, A_STOP], st[i, A_TARGET], st[i, A_TRAIL], st[i, A_EXTREME]
    if held > 0.0:
        if trail > 0.0:
            stop = max(stop, extreme * trail)
        if lo <= stop:
            return EXIT_STOP, min(o, stop)
        if h >= target:
            return EXIT_TARGET, max(o, target)
        return EXIT_NONE, 0.0
    if trail > 0.0:
        stop = min(stop, extreme * trail)
    if h >= stop:
        return EXIT_STOP, max(o, stop)
    if lo <= target:
        return EXIT_TARGET, min(o, target)
    return EXIT_NONE, 0.0


@njit(cache=True, inline="always")
def _sized_units(
    sp: np.ndarray, i: int, budget: float, mark_row: np.ndarray, t: int, price: float, fee: float
) -> float:
    """Units a ``budget`` buys for sleeve ``i`` under its sizing rule at ``price`` (fee included); 0.0
    when the rule declines (vol_target warm-up)."""
    alloc = _allocation(sp[i], budget, mark_row, t - 1)
    if alloc <= 0.0:
        return 0.0
    return alloc / (price * (1.0 + fee))
