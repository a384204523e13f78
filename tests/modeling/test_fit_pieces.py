"""The pure pieces of ``fit_tergm``: the replicate indices and the failed-replicates message."""

from __future__ import annotations

import numpy as np

from customsnet.modeling.estimation.bootstrap import draw_indices
from customsnet.modeling.estimation.estimators import ReplicateFits
from customsnet.modeling.estimation.fit import _bootstrap_indices, _failed_replicates_message


def test_explicit_indices_win_and_are_made_zero_based():
    idx, seed = _bootstrap_indices(3, bootstrap=50, seed=9, boot_indices=np.array([[1, 3, 3], [2, 2, 1]]))
    np.testing.assert_array_equal(idx, [[0, 2, 2], [1, 1, 0]])
    assert seed == 9  # passed through; fit_tergm records no seed for explicit indices


def test_drawn_indices_follow_the_seed():
    idx, seed = _bootstrap_indices(4, bootstrap=5, seed=11, boot_indices=None)
    assert seed == 11
    np.testing.assert_array_equal(idx, draw_indices(4, 5, np.random.default_rng(11)))


def test_without_a_seed_one_is_drawn_that_repeats_the_draw():
    idx, seed = _bootstrap_indices(4, bootstrap=5, seed=None, boot_indices=None)
    assert isinstance(seed, int)
    np.testing.assert_array_equal(idx, _bootstrap_indices(4, bootstrap=5, seed=seed, boot_indices=None)[0])


def test_no_bootstrap_gives_no_replicates():
    idx, seed = _bootstrap_indices(4, bootstrap=0, seed=None, boot_indices=None)
    assert idx.shape == (0, 4) and idx.dtype == np.int64 and seed is None


def test_failed_message_counts_and_quotes_the_first_failure():
    reps = ReplicateFits(np.zeros((3, 1)), np.array([False, True, True]), ["", "singular", "diverged"])
    assert _failed_replicates_message(reps) == "2 of 3 bootstrap replicates failed (first: singular)"
