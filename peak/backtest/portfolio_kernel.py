"""The portfolio numba kernel: several sleeves on one shared cash account, with the execution models.

Per bar t, in this order (each step only for symbols that have a bar at t; the others wait):

1. **decisions**: each sleeve reads its target from bar t-1 (same rules as ``book``: sign only, shorts
   only when allowed, a stop/target exit blocks its side until the signal lets go);
2. **reductions** at the open: closing and shrinking fills first, so their cash funds the entries;
3. **sizing**: a sleeve that wants a position and is flat sizes it from its budget (``rebalance=none``:
   its own equity; otherwise weight × total equity), and on a periodic rebalance bar open positions are
   re-sized the same way;
4. **increases** at the open, in sleeve order, capped by the volume cap, the leverage cap and (at a cap of
   1.0 or below) the cash on hand, then rounded down to the symbol's lot size and checked against its
   minimum order; what does not fill now stays wanted and is retried at the next bar's open;
5. **intrabar exits**: stop, take-profit (a maker fill under ``maker_taker`` fees) and trailing stop;
6. **mark** every sleeve to the last known close.

A sleeve's cash is its own ledger inside the shared account, so ``sum(sleeve equity) == total equity`` at
every bar by construction: a sleeve's equity is its initial share plus its own profit and loss.
A round trip (flat → position → flat) is one trade however many fills it took; its prices are the
volume-weighted entry and exit fills.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from peak.backtest.book import N_PARAMS, P_ALLOW_SHORT, _allocation, _levels, _target_side, _unblock
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


@njit(cache=True, inline="always")
def _decide(st: np.ndarray, sp: np.ndarray, i: int, signal: float) -> None:
    """Step 1 for sleeve ``i``: turn the signal into the wanted side and, if the held side must go,
    a desired position of zero."""
    held = _sign(st[i, A_UNITS])
    side = _target_side(signal, sp[i, P_ALLOW_SHORT] > 0.0)
    if side != held or st[i, A_BLOCKED] != 0.0:
        side, blocked = _unblock(side, st[i, A_BLOCKED])
        st[i, A_BLOCKED] = blocked
    if side != st[i, A_WANT]:
        st[i, A_WANT] = side
        st[i, A_SIZED] = 0.0
    if side == 0.0 or (held != 0.0 and held != side):
        st[i, A_DESIRED] = 0.0


@njit(cache=True, inline="always")
def _reduce(
    st: np.ndarray,
    ibar: np.ndarray,
    i: int,
    q_cap: float,
    price_ref: tuple[float, float, float],
    gp: np.ndarray,
    t: int,
    lot: float,
) -> tuple[float, float, bool]:
    """Step 2 for sleeve ``i``: shrink the position toward its desired size (to zero when the desired side
    differs). Returns (cash flow, quantity used, round trip finished)."""
    u, goal = st[i, A_UNITS], st[i, A_DESIRED]
    if u == 0.0:
        return 0.0, 0.0, False
    held = _sign(u)
    if goal * held < 0.0:
        goal = 0.0
    if abs(goal) >= abs(u):
        return 0.0, 0.0, False
    q = min(abs(u) - abs(goal), q_cap)
    if q < abs(u):  # a partial reduction trades whole lots only; closing in full always may
        q = _round_lot(q, lot)
    if q <= 0.0:
        return 0.0, 0.0, False
    o, h, lo = price_ref
    price = _fill_price(o, -held, h, lo, gp)
    du = -held * q if q < abs(u) else -u  # closing in full lands exactly on zero
    flow = _fill(st, ibar, i, du, price, gp[G_TAKER_FEE], t)
    return flow, q, st[i, A_UNITS] == 0.0


@njit(cache=True)
def simulate_portfolio_kernel(
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    volume: np.ndarray,
    mark: np.ndarray,
    present: np.ndarray,
    target: np.ndarray,
    rebalance_bar: np.ndarray,
    sp: np.ndarray,
    gp: np.ndarray,
    totals: np.ndarray,
    sleeve_equity: np.ndarray,
    sleeve_units: np.ndarray,
    fbuf: np.ndarray,
    ibuf: np.ndarray,
) -> int:
    """Simulate the sleeves; returns the trade count, or ``-1 - (i * T + t)`` for a NaN target of sleeve i
    at bar t. Matrices are (symbols or sleeves) × T; ``totals`` is 3 × T: equity, cash, gross exposure.
    ``fbuf``/``ibuf`` need ``2 * sleeves * T`` rows (a reversal and a same-bar stop close two trades)."""
    n_sleeves, n_bars = target.shape
    n_symbols = open_.shape[0]
    sym = np.empty(n_sleeves, dtype=np.int64)
    for i in range(n_sleeves):
        sym[i] = int(sp[i, S_SYMBOL])
    st = np.zeros((n_sleeves, N_STATE))
    ibar = np.zeros((n_sleeves, 2), dtype=np.int64)
    for i in range(n_sleeves):
        st[i, A_CASH] = gp[G_INITIAL_CASH] * sp[i, S_WEIGHT]
    cash, n_trades = gp[G_INITIAL_CASH], 0
    px = np.full(n_symbols, np.nan)
    room = np.empty(n_symbols)
    cap, taker = gp[G_VOLUME_CAP], gp[G_TAKER_FEE]
    rule = int(gp[G_REBALANCE])
    book, quotes, trades = (st, sp, ibar, sym, room), (open_, high, low, present), (fbuf, ibuf)
    for t in range(n_bars):
        for s in range(n_symbols):
            if present[s, t]:
                px[s] = open_[s, t]
                room[s] = cap * volume[s, t] if cap > 0.0 else math.inf
            else:
                room[s] = 0.0
                if t > 0:
                    px[s] = mark[s, t - 1]
        if t > 0:
            for i in range(n_sleeves):
                signal = target[i, t - 1]
                if np.isnan(signal):
                    return -1 - (i * n_bars + t - 1)
                _decide(st, sp, i, signal)
            n_trades = _reductions(book, quotes, gp, t, trades, n_trades)
            cash = _ledger_total(st)
            equity, _ = _book_value(st, sym, px, cash)
            for i in range(n_sleeves):
                s = sym[i]
                if (
                    not present[s, t]
                    or st[i, A_WANT] == 0.0
                    or st[i, A_SIZED] != 0.0
                    or st[i, A_UNITS] != 0.0
                ):
                    continue
                budget = st[i, A_CASH] if rule == REBALANCE_NONE else sp[i, S_WEIGHT] * equity
                price = _fill_price(open_[s, t], st[i, A_WANT], high[s, t], low[s, t], gp)
                q = _sized_units(sp, i, budget, mark[s], t, price, taker)
                if q > 0.0:
                    st[i, A_DESIRED], st[i, A_SIZED] = st[i, A_WANT] * q, 1.0
            if rule == REBALANCE_PERIODIC and rebalance_bar[t]:
                _resize(book, quotes, mark, gp, t, equity)
                n_trades = _reductions(book, quotes, gp, t, trades, n_trades)
                cash = _ledger_total(st)
            cash = _increases(book, quotes, px, gp, t, cash)
        n_trades = _intrabar_exits(book, quotes, gp, t, trades, n_trades)
        cash = _ledger_total(st)
        equity, gross = cash, 0.0
        for i in range(n_sleeves):
            u, e = st[i, A_UNITS], st[i, A_CASH]
            if u != 0.0:
                value = u * mark[sym[i], t]
                e += value
                equity += value
                gross += abs(value)
            sleeve_equity[i, t] = e
            sleeve_units[i, t] = u
        totals[0, t], totals[1, t], totals[2, t] = equity, cash, gross
    return n_trades


@njit(cache=True, inline="always")
def _ledger_total(st: np.ndarray) -> float:
    """The shared account's cash: the sum of the sleeve ledgers."""
    total = 0.0
    for i in range(st.shape[0]):
        total += st[i, A_CASH]
    return total


@njit(cache=True)
def _reductions(
    book: Book, quotes: Quotes, gp: np.ndarray, t: int, trades: TradeBuffers, n_trades: int
) -> int:
    """Step 2 for every sleeve whose symbol trades at t; returns the new trade count."""
    st, sp, ibar, sym, room = book
    open_, high, low, present = quotes
    fbuf, ibuf = trades
    for i in range(st.shape[0]):
        s = sym[i]
        if not present[s, t]:
            continue
        prices = (open_[s, t], high[s, t], low[s, t])
        _, used, done = _reduce(st, ibar, i, room[s], prices, gp, t, sp[i, S_LOT])
        room[s] -= used
        if done:
            _record(st, ibar, i, fbuf, ibuf, n_trades)
            n_trades += 1
    return n_trades


@njit(cache=True)
def _resize(book: Book, quotes: Quotes, mark: np.ndarray, gp: np.ndarray, t: int, equity: float) -> None:
    """Periodic rebalance: aim every open, settled position at weight × total equity under its sizing."""
    st, sp, _, sym, _ = book
    open_, high, low, present = quotes
    for i in range(st.shape[0]):
        s, u = sym[i], st[i, A_UNITS]
        if not present[s, t] or u == 0.0 or _sign(u) != st[i, A_WANT] or st[i, A_SIZED] == 0.0:
            continue
        price = _fill_price(open_[s, t], st[i, A_WANT], high[s, t], low[s, t], gp)
        q = _sized_units(sp, i, sp[i, S_WEIGHT] * equity, mark[s], t, price, gp[G_TAKER_FEE])
        if q > 0.0 and abs(q - abs(u)) > gp[G_REBALANCE_THRESHOLD] * abs(u):
            st[i, A_DESIRED] = st[i, A_WANT] * q


@njit(cache=True)
def _increases(book: Book, quotes: Quotes, px: np.ndarray, gp: np.ndarray, t: int, cash: float) -> float:
    """Step 4: grow positions toward their desired size within the volume, leverage and cash caps and the
    symbol's order rules. Returns the account cash afterwards."""
    st, sp, ibar, sym, room = book
    open_, high, low, present = quotes
    lev = gp[G_MAX_LEVERAGE]
    fee = gp[G_TAKER_FEE]
    for i in range(st.shape[0]):
        s, u, goal = sym[i], st[i, A_UNITS], st[i, A_DESIRED]
        side = _sign(goal)
        if not present[s, t] or side == 0.0 or u * side < 0.0 or abs(goal) <= abs(u):
            continue
        price = _fill_price(open_[s, t], side, high[s, t], low[s, t], gp)
        equity, gross = _book_value(st, sym, px, cash)
        q = min(abs(goal) - abs(u), room[s], max(0.0, lev * equity - gross) / price)
        if side > 0.0 and lev <= 1.0:
            q = min(q, max(0.0, cash) / (price * (1.0 + fee)))
        q = _round_lot(q, sp[i, S_LOT])
        if q <= 0.0 or q < sp[i, S_MIN_QTY] or q * price < sp[i, S_MIN_NOTIONAL]:
            continue
        opening = u == 0.0
        cash += _fill(st, ibar, i, side * q, price, fee, t)
        room[s] -= q
        if opening:
            stop, target, trail = _levels(side, price, sp[i])
            st[i, A_STOP] = stop
            st[i, A_TARGET] = target
            st[i, A_TRAIL] = trail
            st[i, A_EXTREME] = price
    return cash


@njit(cache=True)
def _intrabar_exits(
    book: Book, quotes: Quotes, gp: np.ndarray, t: int, trades: TradeBuffers, n_trades: int
) -> int:
    """Step 5: stops, targets and trailing stops; an exit blocks its side like in ``book``."""
    st, _, ibar, sym, room = book
    open_, high, low, present = quotes
    fbuf, ibuf = trades
    for i in range(st.shape[0]):
        s, u = sym[i], st[i, A_UNITS]
        if u == 0.0 or not present[s, t]:
            continue
        held = _sign(u)
        o, h, lo = open_[s, t], high[s, t], low[s, t]
        kind, raw = _exit_level(o, h, lo, held, st, i)
        st[i, A_EXTREME] = max(st[i, A_EXTREME], h) if held > 0.0 else min(st[i, A_EXTREME], lo)
        if kind == EXIT_NONE:
            continue
        price = _fill_price(raw, -held, h, lo, gp)
        fee = gp[G_MAKER_FEE] if kind == EXIT_TARGET else gp[G_TAKER_FEE]
        q = min(abs(u), room[s])
        st[i, A_BLOCKED] = held
        st[i, A_WANT] = 0.0
        st[i, A_DESIRED] = 0.0
        st[i, A_SIZED] = 0.0
        if q <= 0.0:
            continue  # no volume left this bar: the rest closes at the next open
        _fill(st, ibar, i, -u if q >= abs(u) else -held * q, price, fee, t)
        room[s] -= q
        if st[i, A_UNITS] == 0.0:
            _record(st, ibar, i, fbuf, ibuf, n_trades)
            n_trades += 1
    return n_trades
