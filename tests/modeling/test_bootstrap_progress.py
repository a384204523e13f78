"""Bootstrap progress: chunked replicates give the same bits as one batch, and the bar counts to R."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from reference_rows import compressed_design

from customsnet.modeling.estimation.bootstrap import (
    ReplicateFits,
    draw_indices,
    labelled,
    local_chunks,
    run_replicates,
    step_counts,
)
from customsnet.modeling.estimation.estimators import fit_btergm, fit_mple
from customsnet.modeling.estimation.fit import _ReplicateStatistic, fit_tergm
from customsnet.modeling.estimation.logit_stats import StackedRows
from customsnet.modeling.estimation.mcmle import MCMLEControl, mcmle_iterations


class Recorder:
    """A ``progress`` callback that records what it is told."""

    def __init__(self) -> None:
        self.started: list[tuple[str, int]] = []
        self.advances: list[int] = []

    def __call__(self, description: str, total: int):
        self.started.append((description, total))
        return self.advances.append


def _statistic(case: str, estimator: str) -> tuple[_ReplicateStatistic, int]:
    design = compressed_design(case)
    rows = StackedRows.from_design(design)
    names = list(design.names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        point = fit_btergm(rows, names) if estimator == "btergm" else fit_mple(rows, names)
    start = None if estimator == "btergm" else point.raw
    return _ReplicateStatistic(estimator, rows, point.identification, split=point.split, start=start), design.n_steps


@pytest.mark.parametrize(("case", "estimator"), [("case1", "btergm"), ("case1", "mple"), ("case1_dissolve", "btergm")])
def test_chunked_replicates_are_bit_identical_to_one_batch(case, estimator):
    # case1 separates edges and memory: speedglm's runaway values and mple's subspace Newton both
    # must not depend on which replicates share a batch (BLAS products would: rows in blocks of 4)
    statistic, T = _statistic(case, estimator)
    counts = step_counts(draw_indices(T, 9, np.random.default_rng(4)), T)
    whole = statistic(counts)
    for size in (1, 3):
        parts = [statistic(counts[k : k + size]) for k in range(0, len(counts), size)]
        assert np.vstack([p.raw for p in parts]).tobytes() == whole.raw.tobytes(), size
    bars = Recorder()
    chunked = run_replicates(statistic, counts, progress=bars)
    assert chunked.raw.tobytes() == whole.raw.tobytes()
    assert chunked.notes == whole.notes and np.array_equal(chunked.failed, whole.failed)


def test_progress_starts_once_and_advances_sum_to_r():
    statistic, T = _statistic("case1_dissolve", "btergm")
    counts = step_counts(draw_indices(T, 10, np.random.default_rng(2)), T)
    bars = Recorder()
    run_replicates(statistic, counts, progress=bars, chunks=4)
    assert bars.started == [("bootstrap", 10)]
    assert len(bars.advances) == 2 and sum(bars.advances) == 10  # 4 chunks asked, at least 4 per chunk


def test_fit_with_progress_gives_the_same_result():
    design = compressed_design("case1")
    bars = Recorder()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = fit_tergm(design, estimator="btergm", bootstrap=9, seed=8)
        shown = fit_tergm(design, estimator="btergm", bootstrap=9, seed=8, progress=labelled(bars, "Model 1"))
    assert shown.boot_t.tobytes() == plain.boot_t.tobytes()
    assert np.asarray(shown.conf_int()).tobytes() == np.asarray(plain.conf_int()).tobytes()
    assert bars.started == [("bootstrap (Model 1)", 9)] and sum(bars.advances) == 9


def test_local_chunks_cover_the_replicates_in_order():
    for n in (1, 3, 7, 40, 101):
        parts = local_chunks(n)
        assert np.array_equal(np.concatenate(parts), np.arange(n))
        assert len(parts) <= 20 and (n < 8 or min(len(p) for p in parts) >= 4)


class _Ones:
    n_params = 2

    def __call__(self, counts: np.ndarray) -> ReplicateFits:
        raw = np.column_stack([counts.sum(axis=1), counts[:, 0]]).astype(float)
        return ReplicateFits(raw, np.zeros(len(counts), bool), [""] * len(counts))


@pytest.mark.slow
def test_dask_progress_counts_each_finished_chunk_and_keeps_order():
    distributed = pytest.importorskip("distributed")
    counts = np.arange(24).reshape(12, 2)
    bars = Recorder()
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        out = run_replicates(_Ones(), counts, scheduler=cluster.scheduler_address, chunks=5, progress=bars)
    np.testing.assert_array_equal(out.raw, _Ones()(counts).raw)
    assert bars.started == [("bootstrap", 12)] and len(bars.advances) == 5 and sum(bars.advances) == 12


def test_mcmle_bar_counts_iterations_up_to_the_cap():
    bars = Recorder()
    report = mcmle_iterations(bars, MCMLEControl(max_iterations=12))
    for iteration in (1, 2, 4):  # iteration 3 backtracked: no record
        report({"iteration": iteration})
    assert bars.started == [("MCMC-MLE iterations (at most 12)", 12)] and bars.advances == [1, 1, 2]
    assert mcmle_iterations(None) is None
