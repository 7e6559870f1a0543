"""Trade statistics from ``trades.csv``: counts, win rate, average win and loss, streaks, holding time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from peak.core.errors import TrackingError

TIME_COLUMNS = ("entry_time", "exit_time")
_REQUIRED = ("entry_time", "exit_time", "pnl", "return")


def read_trades(path: Path) -> pd.DataFrame:
    """trades.csv with its times parsed as UTC; a file without the trade columns is an error naming it."""
    frame = pd.read_csv(path)
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise TrackingError(f"trades file {path} lacks the columns {', '.join(missing)}")
    for column in TIME_COLUMNS:
        frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame


def longest_streak(wins: np.ndarray, value: bool) -> int:
    """The longest run of consecutive ``value`` in ``wins``: ``longest_streak([T, T, F, T], True)`` → 2."""
    best = current = 0
    for item in wins.tolist():
        current = current + 1 if item == value else 0
        best = max(best, current)
    return best


@dataclass(frozen=True)
class TradeStats:
    """Closed-trade statistics; returns are fractions of the cash committed, pnl in quote currency,
    holding times in hours. Undefined values (no wins, no trades) are None."""

    count: int
    wins: int
    losses: int
    win_rate: float | None
    avg_win: float | None
    avg_loss: float | None
    avg_win_pnl: float | None
    avg_loss_pnl: float | None
    payoff: float | None
    best: float | None
    worst: float | None
    longest_win_streak: int
    longest_loss_streak: int
    avg_hold_h: float | None
    median_hold_h: float | None
    max_hold_h: float | None
    fees: float | None


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None


def trade_stats(trades: pd.DataFrame) -> TradeStats:
    """Statistics of ``trades`` (as read by :func:`read_trades`), in exit order. A win is pnl > 0, so a
    trade that exactly breaks even counts as a loss, as ``win_rate`` in docs/metrics.md."""
    ordered = trades.sort_values("exit_time", kind="stable")
    pnl = ordered["pnl"].to_numpy(dtype=np.float64)
    ret = ordered["return"].to_numpy(dtype=np.float64)
    won = pnl > 0.0
    hours = (ordered["exit_time"] - ordered["entry_time"]).dt.total_seconds().to_numpy() / 3600.0
    avg_win, avg_loss = _mean(ret[won]), _mean(ret[~won])
    fee_columns = [c for c in ("entry_fee", "exit_fee") if c in ordered.columns]
    fees = float(ordered[fee_columns].to_numpy().sum()) if fee_columns else None
    return TradeStats(
        count=int(pnl.size),
        wins=int(won.sum()),
        losses=int((~won).sum()),
        win_rate=float(won.mean()) if pnl.size else None,
        avg_win=avg_win,
        avg_loss=avg_loss,
        avg_win_pnl=_mean(pnl[won]),
        avg_loss_pnl=_mean(pnl[~won]),
        payoff=avg_win / -avg_loss if avg_win is not None and avg_loss else None,
        best=float(ret.max()) if ret.size else None,
        worst=float(ret.min()) if ret.size else None,
        longest_win_streak=longest_streak(won, True),
        longest_loss_streak=longest_streak(won, False),
        avg_hold_h=_mean(hours),
        median_hold_h=float(np.median(hours)) if hours.size else None,
        max_hold_h=float(hours.max()) if hours.size else None,
        fees=fees,
    )
