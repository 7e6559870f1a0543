"""Overfitting statistics over a search's trials."""

from __future__ import annotations

import numpy as np
import pytest

from peak.research.trials import trial_statistics


def test_trial_statistics_when_one_trial_has_real_edge_then_picked_with_high_dsr_low_pbo() -> None:
    rng = np.random.default_rng(11)
    returns = rng.normal(0.0, 0.01, size=(4000, 30))
    returns[:, 7] += 0.004  # a genuine, persistent edge
    stats = trial_statistics(returns)
    assert stats.best == 7 and stats.n_trials == 30
    assert stats.dsr is not None and stats.dsr > 0.95
    assert stats.pbo is not None and stats.pbo < 0.05


def test_trial_statistics_when_pure_noise_then_dsr_and_pbo_near_a_coin_flip() -> None:
    # the best of 30 noise trials looks good on its own; deflated by the search it is a coin flip,
    # and its in-sample rank says nothing out of sample
    runs = [
        trial_statistics(np.random.default_rng(s).normal(0.0, 0.01, size=(4000, 30))) for s in range(12, 20)
    ]
    dsr = np.mean([r.dsr for r in runs])
    pbo = np.mean([r.pbo for r in runs])
    assert 0.3 < dsr < 0.7 and 0.3 < pbo < 0.7


def test_trial_statistics_when_single_trial_then_notes_why_and_no_dsr() -> None:
    stats = trial_statistics(np.random.default_rng(1).normal(size=(100, 1)))
    assert stats.dsr is None and stats.pbo is None and "trials" in stats.note
    with pytest.raises(ValueError, match="T x N"):
        trial_statistics(np.zeros(5))
