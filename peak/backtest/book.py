"""The general numba kernel: long/short, intrabar stops and targets, sizing rules. One pass over the bars,
state in local scalars, trades into preallocated arrays (same columns as ``kernel``).

``peak.backtest.engine`` uses it whenever a rule is on; the default all-in long/flat book keeps the leaner
``kernel.simulate_long_all_in``, which reads neither high nor low and skips the per-bar rule checks
(bench/RESULTS.md times both).

Per bar t the kernel runs three phases, in this order:

1. **fills at the open**: the target decided at the close of bar t-1 is traded at ``open[t]`` (a reversal
   is two fills at that open: close the old side, then open the new one);
2. **intrabar exits**: stop-loss, take-profit and trailing stop test ``low[t]``/``high[t]``, including the
   bar whose open filled the entry; the stop wins when both could trigger;
3. **mark to the close**: ``equity[t] = cash + units * close[t]`` (units < 0 for a short).

Scalar run parameters travel in one float64 array indexed by the ``P_*`` constants and trade columns are
indexed by ``COL_*``, so adding a rule or a column does not change the kernel signature. Helpers return
tuples rather than mutate shared state and are inlined at numba level (``inline="always"``): with plain
LLVM inlining the loop measured ~2x slower.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

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

# indices into the float64 parameter array; a rule fraction of 0.0 means "off"
P_FEE_RATE = 0
P_SLIP = 1
P_INITIAL_CASH = 2
P_ALLOW_SHORT = 3  # 1.0 or 0.0
P_STOP_LOSS = 4
P_TAKE_PROFIT = 5
P_TRAILING_STOP = 6
P_SIZING = 7  # one of the SIZING_* codes
P_SIZE_VALUE = 8  # fraction, notional or annualised target volatility, by sizing code
P_VOL_LOOKBACK = 9  # number of close-to-close returns (vol_target only)
P_BARS_PER_YEAR = 10
N_PARAMS = 11

SIZING_ALL_IN = 0
SIZING_FIXED_FRACTION = 1
SIZING_FIXED_NOTIONAL = 2
SIZING_VOL_TARGET = 3


@njit(cache=True, inline="always")  # numba-level inlining keeps the hot loop tight
def _fill_price(open_price: float, side: float, slip: float) -> float:
    """Fill price against the trader: ``side`` +1 buys at open*(1+s), -1 sells at open*(1-s)."""
    return open_price * (1.0 + side * slip)


@njit(cache=True, inline="always")
def _realised_vol(close: np.ndarray, end: int, lookback: int, bars_per_year: float) -> float:
    """Annualised sample stdev (ddof=1) of the ``lookback`` simple returns ending at ``close[end]``; NaN
    while fewer closes exist. Computed only at entries, so the O(lookback) pass costs nothing per bar."""
    if end - lookback < 0:
        return math.nan
    mean = 0.0
    for i in range(end - lookback + 1, end + 1):
        mean += close[i] / close[i - 1] - 1.0
    mean /= lookback
    var = 0.0
    for i in range(end - lookback + 1, end + 1):
        d = close[i] / close[i - 1] - 1.0 - mean
        var += d * d
    return math.sqrt(var / (lookback - 1) * bars_per_year)


@njit(cache=True, inline="always")
def _allocation(params: np.ndarray, cash: float, close: np.ndarray, signal_bar: int) -> float:
    """Quote amount committed to a new entry (fee included); <= 0 means "do not enter".

    Entries only happen when flat, so equity == cash and "fraction of equity" is a fraction of cash.
    """
    kind = int(params[P_SIZING])
    if kind == SIZING_ALL_IN:
        return cash
    value = params[P_SIZE_VALUE]
    if kind == SIZING_FIXED_FRACTION:
        return value * cash
    if kind == SIZING_FIXED_NOTIONAL:
        return min(value, cash)
    vol = _realised_vol(close, signal_bar, int(params[P_VOL_LOOKBACK]), params[P_BARS_PER_YEAR])
    if math.isnan(vol):
        return 0.0  # warm-up: not enough closes to size the position yet
    if vol == 0.0:
        return cash
    return min(1.0, value / vol) * cash


@njit(cache=True, inline="always")
def _exit_cash(units: float, price: float, fee_rate: float) -> float:
    """Cash flow of closing ``units`` at ``price``: a long's sale net of fee (> 0), a short's buy-back
    cost plus fee (< 0)."""
    if units > 0.0:
        return units * price * (1.0 - fee_rate)
    return units * price * (1.0 + fee_rate)


@njit(cache=True, inline="always")
def _record_trade(
    fbuf: np.ndarray,
    ibuf: np.ndarray,
    k: int,
    bars: tuple[int, int],
    prices: tuple[float, float],
    units: float,
    fee_rate: float,
    pnl: float,
    committed: float,
) -> None:
    """Write closed trade ``k``; pnl is the sum of the entry and exit cash flows, so both fees are netted."""
    ibuf[k, COL_ENTRY_BAR] = bars[0]
    ibuf[k, COL_EXIT_BAR] = bars[1]
    fbuf[k, COL_ENTRY_PRICE] = prices[0]
    fbuf[k, COL_EXIT_PRICE] = prices[1]
    fbuf[k, COL_UNITS] = units
    fbuf[k, COL_ENTRY_FEE] = abs(units) * prices[0] * fee_rate
    fbuf[k, COL_EXIT_FEE] = abs(units) * prices[1] * fee_rate
    fbuf[k, COL_PNL] = pnl
    fbuf[k, COL_RET] = pnl / committed


@njit(cache=True, inline="always")
def _close_trade(
    fbuf: np.ndarray,
    ibuf: np.ndarray,
    k: int,
    trade: tuple[int, int, float, float, float],
    units: float,
    price: float,
    fee_rate: float,
    cash: float,
) -> float:
    """Close the open ``trade`` (entry bar, exit bar, entry price, entry cash flow, committed) at ``price``,
    record it as trade ``k`` and return the new cash."""
    entry_bar, exit_bar, entry_price, entry_cash, committed = trade
    exit_cash = _exit_cash(units, price, fee_rate)
    pnl = exit_cash + entry_cash
    _record_trade(fbuf, ibuf, k, (entry_bar, exit_bar), (entry_price, price), units, fee_rate, pnl, committed)
    return cash + exit_cash


@njit(cache=True, inline="always")
def _levels(held: float, entry: float, params: np.ndarray) -> tuple[float, float, float]:
    """(fixed stop, target, trailing multiplier) of a new position, computed once at entry so that the
    per-bar check is two compares. Off rules become levels that never trigger; a trailing multiplier of
    0.0 means no trailing stop."""
    sl, tp, ts = params[P_STOP_LOSS], params[P_TAKE_PROFIT], params[P_TRAILING_STOP]
    stop = entry * (1.0 - held * sl) if sl > 0.0 else -held * math.inf
    target = entry * (1.0 + held * tp) if tp > 0.0 else held * math.inf
    trail = 1.0 - held * ts if ts > 0.0 else 0.0
    return stop, target, trail


@njit(cache=True, inline="always")
def _long_exit_price(
    o: float, h: float, lo: float, levels: tuple[float, float, float], extreme: float
) -> float:
    """Intrabar exit price of a long before slippage, or 0.0 if none: stop (fixed or trailing, the higher)
    before target."""
    stop, target, trail = levels
    if trail > 0.0:
        stop = max(stop, extreme * trail)
    if lo <= stop:
        return min(o, stop)  # a gap below the stop fills at the open, not the stop
    if h >= target:
        return max(o, target)
    return 0.0


@njit(cache=True, inline="always")
def _short_exit_price(
    o: float, h: float, lo: float, levels: tuple[float, float, float], extreme: float
) -> float:
    """Mirror of ``_long_exit_price``: stop above the entry (or the lowest low), target below."""
    stop, target, trail = levels
    if trail > 0.0:
        stop = min(stop, extreme * trail)
    if h >= stop:
        return max(o, stop)
    if lo <= target:
        return min(o, target)
    return 0.0


@njit(cache=True, inline="always")
def _exit_price(
    o: float,
    h: float,
    lo: float,
    held: float,
    levels: tuple[float, float, float],
    extreme: float,
    slip: float,
) -> tuple[float, float]:
    """(intrabar exit fill after slippage or 0.0, updated extreme). The extreme moves after the check, so a
    bar never trails on its own new high (low for a short)."""
    if held > 0.0:
        return _long_exit_price(o, h, lo, levels, extreme) * (1.0 - slip), max(extreme, h)
    return _short_exit_price(o, h, lo, levels, extreme) * (1.0 + slip), min(extreme, lo)


@njit(cache=True, inline="always")
def _target_side(signal: float, allow_short: bool) -> float:
    """+1 long, -1 short (only when shorts are allowed), 0 flat."""
    if signal > 0.0:
        return 1.0
    if signal < 0.0 and allow_short:
        return -1.0
    return 0.0


@njit(cache=True, inline="always")
def _enter(
    side: float, t: int, cash: float, open_: np.ndarray, close: np.ndarray, params: np.ndarray
) -> tuple[float, float, float, float]:
    """Open ``side`` at ``open_[t]``: (units, fill price, entry cash flow, committed); units 0 = no entry.

    Both sides size as ``units = alloc / (fill * (1 + fee))``; a long pays ``alloc``, a short receives
    ``units * fill * (1 - fee)``.
    """
    fee = params[P_FEE_RATE]
    alloc = _allocation(params, cash, close, t - 1)
    if alloc <= 0.0:
        return 0.0, 0.0, 0.0, 0.0
    price = _fill_price(open_[t], side, params[P_SLIP])
    size = alloc / (price * (1.0 + fee))
    if side > 0.0:
        return size, price, -alloc, alloc
    return -size, price, size * price * (1.0 - fee), alloc


@njit(cache=True, inline="always")
def _unblock(side: float, blocked: float) -> tuple[float, float]:
    """(side to hold, block). A stop/target exit shuts its side until the signal stops asking for it:
    target <= 0 after a long, >= 0 after a short (a reversal signal clears it and may enter at once)."""
    if side == blocked:
        return 0.0, blocked
    return side, 0.0


@njit(cache=True)
def simulate_book(
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    target: np.ndarray,
    params: np.ndarray,
    equity: np.ndarray,
    cash_out: np.ndarray,
    units_out: np.ndarray,
    fbuf: np.ndarray,
    ibuf: np.ndarray,
) -> int:
    """Long/short simulation with stops and sizing; fills the per-bar outputs and the trade buffers and
    returns the trade count.

    ``target[t] > 0`` means "be long from the open of bar t+1", ``< 0`` short (flat unless shorts are
    allowed), ``0`` flat. The buffers need ``len(open_)`` rows: with reversals and same-bar stops a trade can
    open and close within one bar. A NaN target aborts the run and returns ``-1 - t`` for the offending
    index t (checked here rather than in a numpy pass because the engine is memory-bound at 1M bars).
    """
    fee, allow_short = params[P_FEE_RATE], params[P_ALLOW_SHORT] > 0.0
    has_exits = params[P_STOP_LOSS] > 0.0 or params[P_TAKE_PROFIT] > 0.0 or params[P_TRAILING_STOP] > 0.0
    cash, units, held, n_trades, blocked = params[P_INITIAL_CASH], 0.0, 0.0, 0, 0.0
    entry_bar, entry_price, entry_cash, committed, extreme = -1, 0.0, 0.0, 0.0, 0.0  # the open trade
    levels, slip = (0.0, 0.0, 0.0), params[P_SLIP]
    for t in range(open_.shape[0]):
        if t > 0:  # bar 0 has no earlier signal to act on
            signal = target[t - 1]
            if np.isnan(signal):
                return -t  # == -1 - (t - 1)
            side = _target_side(signal, allow_short)
            if side != held or blocked != 0.0:  # rare: most bars keep the position
                side, blocked = _unblock(side, blocked)
            if side != held and held != 0.0:
                price = _fill_price(open_[t], -held, params[P_SLIP])
                trade = (entry_bar, t, entry_price, entry_cash, committed)
                cash = _close_trade(fbuf, ibuf, n_trades, trade, units, price, fee, cash)
                n_trades, units, held = n_trades + 1, 0.0, 0.0
            if side != held:
                units, entry_price, entry_cash, committed = _enter(side, t, cash, open_, close, params)
                if units != 0.0:
                    cash, entry_bar, extreme, held = cash + entry_cash, t, entry_price, side
                    levels = _levels(held, entry_price, params)
        if has_exits and held != 0.0:
            price, extreme = _exit_price(open_[t], high[t], low[t], held, levels, extreme, slip)
            if price > 0.0:
                trade = (entry_bar, t, entry_price, entry_cash, committed)
                cash = _close_trade(fbuf, ibuf, n_trades, trade, units, price, fee, cash)
                n_trades, blocked, units, held = n_trades + 1, held, 0.0, 0.0
        equity[t] = cash + units * close[t]
        cash_out[t] = cash
        units_out[t] = units
    return n_trades
