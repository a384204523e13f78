"""Bootstrap over time steps: R's replicates and intervals reproduced, seeding, Dask, failures."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from reference_rows import boot_indices, compressed_design, reference_dir
from scipy.stats import norm

from customsnet.modeling.estimation.bootstrap import (
    BootstrapWarning,
    basic_interval,
    complete_replicates,
    draw_indices,
    indices_from_r,
    norm_inter,
    percentile_interval,
    run_replicates,
    step_counts,
)
from customsnet.modeling.estimation.estimators import ReplicateFits
from customsnet.modeling.estimation.fit import fit_tergm

CASES = ["case1", "case1_dissolve"]


@pytest.fixture(scope="module", params=CASES)
def btergm_run(request):
    case = request.param
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_tergm(compressed_design(case), estimator="btergm", boot_indices=boot_indices(case), n_jobs=2)
    return case, result


def test_replicates_reproduce_boot_t(btergm_run):
    case, result = btergm_run
    ref = pd.read_csv(reference_dir(case) / "boot_t.csv").iloc[:, 1:].to_numpy()
    assert result.boot_t.shape == ref.shape == (100, 6)
    np.testing.assert_allclose(result.boot_t, ref, rtol=0, atol=1e-6)
    assert result.n_failed == 0


def test_confint_reproduces_btergm(btergm_run):
    case, result = btergm_run
    ref = pd.read_csv(reference_dir(case) / "confint.csv", index_col=0)
    table = result.to_frame()
    assert list(ref.columns) == ["Estimate", "Boot mean", "2.5%", "97.5%"]
    np.testing.assert_allclose(table.loc[ref.index, ref.columns].to_numpy(), ref.to_numpy(), rtol=0, atol=1e-6)


def test_norm_inter_cases_follow_boot():
    t = np.arange(1.0, 101.0)[::-1]  # unsorted on purpose
    # R = 100, alpha = 0.025: rk = 2.525, interpolate t(2), t(3) on the normal scale
    a = 0.025
    frac = (norm.ppf(a) - norm.ppf(2 / 101)) / (norm.ppf(3 / 101) - norm.ppf(2 / 101))
    assert norm_inter(t, a) == pytest.approx(2.0 + frac, abs=1e-12)
    # rk integer: (39 + 1) * 0.025 = 1 exactly -> t(1)
    assert norm_inter(np.arange(1.0, 40.0), 0.025) == 1.0
    # k = 0 and k = R: the extreme order statistics
    assert norm_inter(np.arange(1.0, 11.0), 0.025) == 1.0
    assert norm_inter(np.arange(1.0, 11.0), 0.975) == 10.0
    # non-finite values are dropped first
    assert norm_inter(np.array([np.nan, np.inf, *np.arange(1.0, 40.0)]), 0.025) == 1.0


def test_basic_interval_reflects_percentile_bounds():
    t = np.random.default_rng(2).normal(1.0, 0.3, size=250)
    lo, hi = percentile_interval(t, 0.9)
    blo, bhi = basic_interval(t, 1.2, 0.9)
    assert blo == pytest.approx(2 * 1.2 - hi) and bhi == pytest.approx(2 * 1.2 - lo)


def test_seeded_draws_are_reproducible_and_shaped_r_by_t():
    a = draw_indices(9, 50, np.random.default_rng(7))
    b = draw_indices(9, 50, np.random.default_rng(7))
    c = draw_indices(9, 50, np.random.default_rng(8))
    assert a.shape == (50, 9) and a.min() >= 0 and a.max() <= 8
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    counts = step_counts(a, 9)
    assert counts.shape == (50, 9) and np.all(counts.sum(axis=1) == 9)
    np.testing.assert_array_equal(counts[3], np.bincount(a[3], minlength=9))


def test_seeded_fit_is_reproducible_and_records_seed():
    design = compressed_design("case1_dissolve")
    r1 = fit_tergm(design, estimator="mple", bootstrap=20, seed=11)
    r2 = fit_tergm(design, estimator="mple", bootstrap=20, seed=11, n_jobs=2)
    np.testing.assert_allclose(r1.boot_t, r2.boot_t, atol=1e-10)
    np.testing.assert_array_equal(r1.boot_indices, r2.boot_indices)
    assert r1.seed == 11 and r1.boot_indices.min() >= 1


def test_r_index_matrix_is_validated():
    with pytest.raises(ValueError, match="1-based"):
        indices_from_r(np.zeros((3, 9), dtype=int), 9)
    with pytest.raises(ValueError, match="R x 9"):
        indices_from_r(np.ones((3, 8), dtype=int), 9)


def test_dask_cluster_gives_the_same_replicates():
    distributed = pytest.importorskip("distributed")
    design = compressed_design("case1_dissolve")
    local = fit_tergm(design, estimator="btergm", bootstrap=8, seed=3)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        remote = fit_tergm(design, estimator="btergm", bootstrap=8, seed=3, scheduler=cluster.scheduler_address)
    np.testing.assert_allclose(remote.boot_t, local.boot_t, atol=1e-12)
    np.testing.assert_array_equal(remote.boot_indices, local.boot_indices)


class _FailsOnStepZeroDrawnTwice:
    n_params = 2

    def __call__(self, counts: np.ndarray) -> ReplicateFits:
        if np.any(counts[:, 0] >= 2):
            raise FloatingPointError("boom")
        return ReplicateFits(np.tile([1.0, 2.0], (len(counts), 1)), np.zeros(len(counts), bool), [""] * len(counts))


def test_failing_replicates_are_counted_not_fatal():
    counts = np.array([[1, 1, 1], [2, 1, 0], [0, 3, 0], [3, 0, 0]])
    out = run_replicates(_FailsOnStepZeroDrawnTwice(), counts)
    np.testing.assert_array_equal(out.failed, [False, True, False, True])
    assert np.isnan(out.raw[1]).all() and np.isnan(out.raw[3]).all()
    np.testing.assert_array_equal(out.raw[[0, 2]], [[1.0, 2.0], [1.0, 2.0]])
    assert out.notes[1] == "error: FloatingPointError: boom"


def test_na_replicates_are_dropped_with_a_warning():
    t = np.array([[1.0, np.nan, 3.0], [2.0, np.nan, np.nan], [3.0, np.nan, 5.0]])
    with pytest.warns(BootstrapWarning, match="1 of 3 bootstrap replicates"):
        kept, mask = complete_replicates(t, ["a", "never", "b"])
    np.testing.assert_array_equal(mask, [True, False, True])
    assert kept.shape == (2, 3)


def test_unseeded_run_records_the_seed_it_drew():
    design = compressed_design("case1_dissolve")
    first = fit_tergm(design, estimator="mple", bootstrap=5)
    assert isinstance(first.seed, int)
    again = fit_tergm(design, estimator="mple", bootstrap=5, seed=first.seed)
    np.testing.assert_array_equal(again.boot_indices, first.boot_indices)
