"""Correlation of portfolio sleeves, measured on their per-bar profit and loss."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from peak.core.results import MetricValue


def pnl_correlation(equities: Sequence[np.ndarray]) -> np.ndarray:
    """Pearson correlation matrix of the sleeves' per-bar equity changes (profit and loss in quote
    currency). Using P&L rather than returns keeps a sleeve's flat periods at exactly zero and is
    scale-free, so sleeves of different size compare directly. NaN where a sleeve never moved.

    Example: ``pnl_correlation([eq_a, eq_b])[0, 1]`` → ``0.31``.
    """
    if len(equities) == 0:
        return np.empty((0, 0))
    pnl = np.diff(np.vstack([np.asarray(e, dtype=np.float64) for e in equities]), axis=1)
    centred = pnl - pnl.mean(axis=1, keepdims=True)
    norms = np.sqrt((centred * centred).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = (centred @ centred.T) / np.outer(norms, norms)
    corr[norms == 0.0, :] = np.nan
    corr[:, norms == 0.0] = np.nan
    return np.clip(corr, -1.0, 1.0)


def correlation_summary(corr: np.ndarray) -> dict[str, MetricValue]:
    """``corr_mean`` and ``corr_max`` over distinct sleeve pairs (None with fewer than two defined)."""
    n = corr.shape[0]
    pairs = corr[np.triu_indices(n, k=1)] if n > 1 else np.empty(0)
    pairs = pairs[np.isfinite(pairs)]
    if pairs.size == 0:
        return {"corr_mean": None, "corr_max": None}
    return {"corr_mean": float(pairs.mean()), "corr_max": float(pairs.max())}
