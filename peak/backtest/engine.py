"""``simulate``: validate inputs, run the numba kernel, wrap its buffers into result objects."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from peak.backtest import book as k
from peak.backtest.book import simulate_book
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
from peak.portfolio.sizing import AllIn, FixedFraction, FixedNotional, Sizing, VolTarget

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


def _check_rule(name: str, value: float | None, upper: float) -> float:
    """A rule fraction for the kernel: None → 0.0 (off); otherwise it must lie in (0, upper)."""
    if value is None:
        return 0.0
    if not 0.0 < value < upper:
        raise ValueError(f"{name} must be in (0, {upper:g}) or None; got {value}")
    return float(value)


def _sizing_params(sizing: Sizing) -> tuple[int, float, int]:
    """(kernel sizing code, value, vol lookback) of a sizing model; the models validated their ranges."""
    if isinstance(sizing, FixedFraction):
        return k.SIZING_FIXED_FRACTION, sizing.fraction, 0
    if isinstance(sizing, FixedNotional):
        return k.SIZING_FIXED_NOTIONAL, sizing.notional, 0
    if isinstance(sizing, VolTarget):
        return k.SIZING_VOL_TARGET, sizing.target_vol, sizing.lookback
    return k.SIZING_ALL_IN, 0.0, 0


@dataclass(frozen=True)
class _Rules:
    """The optional ``simulate`` arguments, gathered so they travel as one typed value."""

    allow_short: bool
    stop_loss: float | None
    take_profit: float | None
    trailing_stop: float | None
    sizing: Sizing


def _kernel_params(bars: Bars, costs: tuple[float, float, float], rules: _Rules) -> np.ndarray:
    """Pack the scalar run parameters into the kernel's float64 array (indices ``book.P_*``)."""
    params = np.zeros(k.N_PARAMS, dtype=np.float64)
    params[k.P_FEE_RATE], params[k.P_SLIP], params[k.P_INITIAL_CASH] = costs
    params[k.P_ALLOW_SHORT] = 1.0 if rules.allow_short else 0.0
    params[k.P_STOP_LOSS] = _check_rule("stop_loss", rules.stop_loss, 1.0)
    params[k.P_TAKE_PROFIT] = _check_rule("take_profit", rules.take_profit, math.inf)
    params[k.P_TRAILING_STOP] = _check_rule("trailing_stop", rules.trailing_stop, 1.0)
    code, value, lookback = _sizing_params(rules.sizing)
    params[k.P_SIZING], params[k.P_SIZE_VALUE], params[k.P_VOL_LOOKBACK] = code, value, lookback
    params[k.P_BARS_PER_YEAR] = bars.timeframe.bars_per_year
    return params


def _is_plain_book(params: np.ndarray) -> bool:
    """True for the all-in long/flat book without exit rules (the defaults)."""
    rules = (k.P_ALLOW_SHORT, k.P_STOP_LOSS, k.P_TAKE_PROFIT, k.P_TRAILING_STOP, k.P_SIZING)
    return not params[list(rules)].any()


def simulate(
    bars: Bars,
    target: np.ndarray,
    *,
    fee_rate: float,
    slippage_bps: float,
    initial_cash: float,
    allow_short: bool = False,
    stop_loss: float | None = None,
    take_profit: float | None = None,
    trailing_stop: float | None = None,
    sizing: Sizing | None = None,
) -> BacktestResult:
    """Simulate a book that follows ``target`` on ``bars``; the defaults are an all-in long/flat book.

    Conventions: the target at bar t (known at its close) fills at ``open[t+1]``; a target on the last bar
    never fills. Buys fill at open*(1+s), sells at open*(1-s), ``s = slippage_bps / 10_000``; each fill pays
    ``fee_rate`` × notional. An entry commits ``alloc`` (all cash by default, see ``sizing``) as
    ``units = alloc / (price * (1 + fee_rate))``; an exit closes all units. ``equity[t] = cash[t] + units[t]
    * close[t]`` in quote currency, with negative units for a short whose cash includes the sale proceeds.
    A position still open at the end is marked to the last close and is not a closed trade.
    Example: ``simulate(bars, np.ones(len(bars)), fee_rate=0.001, slippage_bps=5, initial_cash=10_000.0)``
    → ``BacktestResult`` with ``equity[0] == 10000.0``.

    ``target`` values > 0 mean long, < 0 short when ``allow_short`` (else flat), 0 flat. ``stop_loss``,
    ``take_profit`` and ``trailing_stop`` are fractions of the entry fill price (None = off) checked
    intrabar from the entry bar on; docs/backtest.md states their fill rules. Raises ``ValueError`` on NaN
    targets, a length mismatch or out-of-range costs (programming errors; configs are validated earlier).
    """
    tgt = np.ascontiguousarray(target, dtype=np.float64)
    _check_inputs(bars, tgt, fee_rate, slippage_bps, initial_cash)
    rules = _Rules(allow_short, stop_loss, take_profit, trailing_stop, sizing or AllIn())
    params = _kernel_params(bars, (float(fee_rate), float(slippage_bps) / BPS, float(initial_cash)), rules)
    n = len(bars)
    equity, cash, units = (np.empty(n, dtype=np.float64) for _ in range(3))
    o, c = (np.ascontiguousarray(a, dtype=np.float64) for a in (bars.open, bars.close))
    if _is_plain_book(params):  # the default book: the lean kernel, no per-bar rule checks
        fbuf, ibuf = np.empty((n // 2, N_FLOAT_COLS)), np.empty((n // 2, N_INT_COLS), dtype=np.int64)
        p = params
        n_trades = simulate_long_all_in(
            o, c, tgt, p[k.P_FEE_RATE], p[k.P_SLIP], p[k.P_INITIAL_CASH], equity, cash, units, fbuf, ibuf
        )
    else:
        # one row per bar: reversals and same-bar stops let a trade open and close within one bar;
        # np.empty only reserves address space, so unused rows cost no page faults
        fbuf, ibuf = np.empty((n, N_FLOAT_COLS)), np.empty((n, N_INT_COLS), dtype=np.int64)
        h, lo = (np.ascontiguousarray(a, dtype=np.float64) for a in (bars.high, bars.low))
        n_trades = simulate_book(o, h, lo, c, tgt, params, equity, cash, units, fbuf, ibuf)
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
