"""Overfitting statistics over the trials of one search (a sweep's jobs, a grid's cells)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peak.metrics import OverfittingInputError, deflated_sharpe_ratio, probability_of_backtest_overfitting

PBO_SPLITS = 16
"""CSCV blocks: C(16, 8) = 12,870 in-sample/out-of-sample splits."""


@dataclass(frozen=True)
class TrialStatistics:
    """The best trial (by per-bar Sharpe), its deflated Sharpe ratio and the search's PBO.

    ``dsr``/``pbo`` are None when the sample cannot support them; ``note`` then says why.
    """

    n_trials: int
    best: int
    best_sharpe: float
    dsr: float | None
    pbo: float | None
    note: str = ""


def _per_bar_sharpe(returns: np.ndarray) -> np.ndarray:
    std = returns.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpe = np.where(std > 0.0, returns.mean(axis=0) / std, 0.0)
    return sharpe


def trial_statistics(returns: np.ndarray) -> TrialStatistics:
    """Statistics of a T × N matrix of per-bar returns (columns = trials on the same bars).

    Example: ``trial_statistics(np.diff(equity, axis=0) / equity[:-1]).pbo`` → ``0.31``.
    """
    r = np.asarray(returns, dtype=np.float64)
    if r.ndim != 2 or r.shape[1] < 1 or r.shape[0] < 3:
        raise ValueError(f"trial_statistics needs a T x N matrix with T >= 3; got shape {r.shape}")
    sharpe = _per_bar_sharpe(r)
    best = int(np.argmax(sharpe))
    notes, dsr, pbo = [], None, None
    try:
        dsr = deflated_sharpe_ratio(r[:, best], sharpe).dsr
    except OverfittingInputError as exc:
        notes.append(f"deflated Sharpe: {exc}")
    try:
        pbo = probability_of_backtest_overfitting(r, PBO_SPLITS).pbo
    except OverfittingInputError as exc:
        notes.append(f"PBO: {exc}")
    return TrialStatistics(r.shape[1], best, float(sharpe[best]), dsr, pbo, "; ".join(notes))
