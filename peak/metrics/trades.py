"""Closed-trade statistics: profit factor, win rate, average return. Plain floats or None out."""

from __future__ import annotations

import math

import numpy as np


def profit_factor(pnl: np.ndarray) -> float | None:
    """Gross profit / gross loss of closed trades (quote-currency pnl, net of fees).

    ``inf`` with profits and no losses; None with no trades or when every pnl is exactly 0 (0/0).
    Example: 1.4 when winners earned 1,400 USDT and losers lost 1,000 USDT.
    """
    if pnl.shape[0] == 0:
        return None
    gross_profit = float(np.sum(pnl[pnl > 0.0]))
    gross_loss = -float(np.sum(pnl[pnl < 0.0]))
    if gross_loss == 0.0:
        return math.inf if gross_profit > 0.0 else None
    return gross_profit / gross_loss


def win_rate(pnl: np.ndarray) -> float | None:
    """Fraction of closed trades with pnl > 0 (a pnl of exactly 0 is not a win). None with no trades.

    Example: 0.42.
    """
    if pnl.shape[0] == 0:
        return None
    return float(np.count_nonzero(pnl > 0.0)) / pnl.shape[0]


def avg_trade_return(ret: np.ndarray) -> float | None:
    """Arithmetic mean of per-trade returns (pnl / cash committed at entry). None with no trades.

    Example: 0.004 = +0.4 % per trade.
    """
    if ret.shape[0] == 0:
        return None
    return float(np.mean(ret))
