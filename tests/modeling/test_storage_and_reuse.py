"""Design storage shared with the kernel, and btergm mode's reuse of converged overlap rows."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from reference_rows import boot_indices, compressed_design, reference_dir

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.logit_stats import StackedRows, rows_evaluated
from customsnet.modeling.estimation.separation import identify
from customsnet.modeling.estimation.speedglm import SplitRows, speedglm_fit
from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel


@pytest.fixture(scope="module")
def built():
    return build_design(read_reference_panel(reference_dir("case1")), REFERENCE_FORMULA)


def test_steps_are_views_of_one_store_that_the_kernel_uses_without_copy(built):
    assert built.shared_columns() is not None
    rows = StackedRows.from_design(built)
    assert rows.XT.flags.c_contiguous
    for s in built.steps:
        assert np.shares_memory(s.X, rows.XT) and np.shares_memory(s.y, rows.y)
    np.testing.assert_array_equal(rows.X, np.vstack([s.X for s in built.steps]))
    assert all(s.lag_tie.dtype == np.int8 for s in built.steps)


def test_a_replaced_step_is_noticed_and_the_rows_are_copied(built):
    import copy

    design = copy.copy(built)
    design.steps = list(built.steps)
    design.steps[1] = copy.copy(built.steps[1])
    design.steps[1].X = built.steps[1].X * 2.0  # no longer the store's view
    assert design.shared_columns() is None
    rows = StackedRows.from_design(design)
    assert not np.shares_memory(rows.XT, built.store.XT)
    np.testing.assert_array_equal(rows.X, np.vstack([s.X for s in design.steps]))


def test_eta_change_bound_bounds_every_overlap_row():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 4))
    X[:, 3] = X[:, 0]  # overlap rows have null direction (1, 0, 0, -1)
    separated = np.zeros(400, dtype=bool)
    separated[::7] = True
    X[separated, 3] += 1.0  # separated rows are not orthogonal to it
    rows = StackedRows(
        np.ascontiguousarray(X.T), (rng.random(400) < 0.3).astype(float), np.ones(400), np.array([0, 150, 400])
    )
    null = np.array([[1.0, 0.0, 0.0, -1.0]]) / np.sqrt(2.0)
    split = SplitRows.from_separation(rows, separated, null)
    assert len(split.separated.y) == separated.sum()
    for _ in range(50):
        delta = rng.normal(size=(2, 4)) * 10.0 ** rng.uniform(-8, 1)
        bound = split.eta_change_bound(np.array([0, 1]), delta)
        for k, (lo, hi) in enumerate([(0, 150), (150, 400)]):
            live = ~separated[lo:hi]
            actual = np.abs(X[lo:hi][live] @ delta[k]).max()
            assert actual <= bound[k] * (1 + 1e-12) + 1e-15


def test_reuse_skips_rows_and_keeps_btergm_replicates():
    design = compressed_design("case1")
    rows = StackedRows.from_design(design)
    ident = identify(rows, design.names)
    split = SplitRows.from_separation(rows, ident.separated, ident.null_space)
    counts = np.zeros((20, rows.n_steps), dtype=np.int64)
    idx = boot_indices("case1")[:20] - 1
    for r, row in enumerate(idx):
        np.add.at(counts[r], row, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r0 = rows_evaluated()
        plain = speedglm_fit(rows, counts)
        r1 = rows_evaluated()
        reused = speedglm_fit(rows, counts, split=split)
        r2 = rows_evaluated()
    assert r2 - r1 < 0.8 * (r1 - r0)  # the converged overlap rows were skipped in late iterations
    assert [o.iterations for o in reused] == [o.iterations for o in plain]
    a = np.array([o.coef for o in plain])
    b = np.array([o.coef for o in reused])
    ok = ident.identified
    np.testing.assert_allclose(b[:, ok], a[:, ok], rtol=0, atol=1e-10)
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-6)  # separated ones: summation-order noise only
