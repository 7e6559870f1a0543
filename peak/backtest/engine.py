"""``simulate``: validate inputs, run the numba kernel, wrap its buffers into result objects."""

from __future__ import annotations

import math

import numpy as np

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
    N_FLOAT_COLS,
    N_INT_COLS,
    simulate_long_all_in,
)
from peak.core.bars import Bars
from peak.core.results import BacktestResult, Trades

BPS = 10_000.0
"""Basis points per unit: slippage_bps / BPS is the fractional price move."""


def _raise_nan_target(index: int) -> None:
    raise ValueError(f"target holds NaN at index {index}; use 0.0 for flat")


def _check_inputs(bars: Bars, target: np.ndarray, fee_rate: float, slippage_bps: float, cash: float) -> None:
    """Raise ``ValueError`` for programming errors; user-facing ranges are validated by the config models."""
    if len(bars) == 0:
        raise ValueError("simulate needs at least one bar")
    if target.shape != (len(bars),):
        raise ValueError(f"target has shape {target.shape}; expected ({len(bars)},) to match the bars")
    if np.isnan(target[-1]):  # the kernel checks every other target as it reads it
        _raise_nan_target(len(bars) - 1)
    if not 0.0 <= fee_rate < 1.0:
        raise ValueError(f"fee_rate must be in [0, 1); got {fee_rate}")
    if not 0.0 <= slippage_bps < BPS:
        raise ValueError(f"slippage_bps must be in [0, 10000); got {slippage_bps}")
    if not (math.isfinite(cash) and cash > 0.0):
        raise ValueError(f"initial_cash must be positive and finite; got {cash}")


def _trades_from_buffers(ts: np.ndarray, fbuf: np.ndarray, ibuf: np.ndarray, n: int) -> Trades:
    """Copy the first ``n`` buffer rows into contiguous ``Trades`` columns (bar indices → fill-bar times)."""
    return Trades(
        entry_ts=ts[ibuf[:n, COL_ENTRY_BAR]],
        exit_ts=ts[ibuf[:n, COL_EXIT_BAR]],
        entry_price=fbuf[:n, COL_ENTRY_PRICE].copy(),
        exit_price=fbuf[:n, COL_EXIT_PRICE].copy(),
        units=fbuf[:n, COL_UNITS].copy(),
        entry_fee=fbuf[:n, COL_ENTRY_FEE].copy(),
        exit_fee=fbuf[:n, COL_EXIT_FEE].copy(),
        pnl=fbuf[:n, COL_PNL].copy(),
        ret=fbuf[:n, COL_RET].copy(),
    )


def simulate(
    bars: Bars, target: np.ndarray, *, fee_rate: float, slippage_bps: float, initial_cash: float
) -> BacktestResult:
    """Simulate an all-in long/flat book that follows ``target`` on ``bars``.

    Conventions: the target at bar t (known at its close) fills at ``open[t+1]``; a target on the last bar
    never fills. Buys fill at open*(1+s), sells at open*(1-s), ``s = slippage_bps / 10_000``; each fill pays
    ``fee_rate`` × notional. A buy spends all cash: ``units = cash / (price * (1 + fee_rate))``; a sell closes
    all units. ``equity[t] = cash[t] + units[t] * close[t]`` in quote currency. A position still open at the
    end is marked to the last close and is not a closed trade.
    Example: ``simulate(bars, np.ones(len(bars)), fee_rate=0.001, slippage_bps=5, initial_cash=10_000.0)``
    → ``BacktestResult`` with ``equity[0] == 10000.0``.

    ``target`` values > 0 mean long, <= 0 flat. Raises ``ValueError`` on NaN targets, a length mismatch or
    out-of-range costs (these are programming errors; configs are validated before this point).
    """
    tgt = np.ascontiguousarray(target, dtype=np.float64)
    _check_inputs(bars, tgt, fee_rate, slippage_bps, initial_cash)
    n = len(bars)
    equity = np.empty(n, dtype=np.float64)
    cash = np.empty(n, dtype=np.float64)
    units = np.empty(n, dtype=np.float64)
    max_trades = n // 2
    fbuf = np.empty((max_trades, N_FLOAT_COLS), dtype=np.float64)
    ibuf = np.empty((max_trades, N_INT_COLS), dtype=np.int64)
    n_trades = simulate_long_all_in(
        np.ascontiguousarray(bars.open, dtype=np.float64),
        np.ascontiguousarray(bars.close, dtype=np.float64),
        tgt,
        float(fee_rate),
        float(slippage_bps) / BPS,
        float(initial_cash),
        equity,
        cash,
        units,
        fbuf,
        ibuf,
    )
    if n_trades < 0:
        _raise_nan_target(-1 - n_trades)
    return BacktestResult(
        ts=bars.ts,
        equity=equity,
        cash=cash,
        units=units,
        trades=_trades_from_buffers(bars.ts, fbuf, ibuf, n_trades),
        initial_cash=float(initial_cash),
    )
