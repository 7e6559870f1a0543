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

from peak.backtest.book import P_ALLOW_SHORT, _levels, _target_side, _unblock
from peak.backtest.portfolio_fills import (
    A_BLOCKED,
    A_CASH,
    A_DESIRED,
    A_EXTREME,
    A_SIZED,
    A_STOP,
    A_TARGET,
    A_TRAIL,
    A_UNITS,
    A_WANT,
    EXIT_NONE,
    EXIT_TARGET,
    G_INITIAL_CASH,
    G_MAKER_FEE,
    G_MAX_LEVERAGE,
    G_REBALANCE,
    G_REBALANCE_THRESHOLD,
    G_TAKER_FEE,
    G_VOLUME_CAP,
    N_STATE,
    REBALANCE_NONE,
    REBALANCE_PERIODIC,
    S_LOT,
    S_MIN_NOTIONAL,
    S_MIN_QTY,
    S_SYMBOL,
    S_WEIGHT,
    Book,
    Quotes,
    TradeBuffers,
    _book_value,
    _exit_level,
    _fill,
    _fill_price,
    _record,
    _round_lot,
    _sign,
    _sized_units,
)


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
) -> tuple[float, bool]:
    """Step 2 for sleeve ``i``: shrink the position toward its desired size (to zero when the desired side
    differs). Returns (quantity used, round trip finished); the cash lands in the sleeve's ledger."""
    u, goal = st[i, A_UNITS], st[i, A_DESIRED]
    if u == 0.0:
        return 0.0, False
    held = _sign(u)
    if goal * held < 0.0:
        goal = 0.0
    if abs(goal) >= abs(u):
        return 0.0, False
    q = min(abs(u) - abs(goal), q_cap)
    if q < abs(u):  # a partial reduction trades whole lots only; closing in full always may
        q = _round_lot(q, lot)
    if q <= 0.0:
        return 0.0, False
    o, h, lo = price_ref
    price = _fill_price(o, -held, h, lo, gp)
    du = -held * q if q < abs(u) else -u  # closing in full lands exactly on zero
    _fill(st, ibar, i, du, price, gp[G_TAKER_FEE], t)
    return q, st[i, A_UNITS] == 0.0


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
    sleeve_cash: np.ndarray,
    fbuf: np.ndarray,
    ibuf: np.ndarray,
) -> int:
    """Simulate the sleeves; returns the trade count, or ``-1 - (i * T + t)`` for a NaN target of sleeve i
    at bar t. Matrices are (symbols or sleeves) × T; ``totals`` is 3 × T: equity, cash, gross exposure;
    the ``sleeve_*`` outputs are sleeves × T: equity, units and ledger cash.
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
            sleeve_cash[i, t] = st[i, A_CASH]
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
        used, done = _reduce(st, ibar, i, room[s], prices, gp, t, sp[i, S_LOT])
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
