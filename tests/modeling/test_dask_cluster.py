"""The Dask bootstrap on a real multi-process cluster: a dask-scheduler and two dask-workers on loopback.

Not an in-process cluster: the statistic is pickled to separate worker processes, the replicates
are split into chunks over them, and the estimates must be bit-identical to the local run.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from reference_rows import compressed_design

from customsnet.modeling.estimation.dask_cluster import LoopbackCluster  # needs distributed only when started
from customsnet.modeling.estimation.fit import fit_tergm

distributed = pytest.importorskip("distributed")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def cluster():
    with LoopbackCluster(n_workers=2, timeout=120) as c:
        yield c
    # every process the fixture started is gone afterwards
    for pid in c.pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def _fit(design, estimator, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_tergm(design, estimator=estimator, bootstrap=12, seed=5, **kw)


def test_cluster_has_two_worker_processes(cluster):
    with distributed.Client(cluster.address, timeout=30) as client:
        info = client.scheduler_info()
        pids = client.run(os.getpid)
    assert len(info["workers"]) == 2
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()


@pytest.mark.parametrize(("case", "estimator"), [("case1", "btergm"), ("case1_dissolve", "btergm"), ("case1", "mple")])
def test_cluster_bootstrap_is_bit_identical_to_local(cluster, case, estimator):
    design = compressed_design(case)
    local = _fit(design, estimator)
    remote = _fit(design, estimator, scheduler=cluster.address)
    np.testing.assert_array_equal(remote.boot_indices, local.boot_indices)
    # bit-identical, NaN where the local run has NaN (non-identified terms in mple mode)
    assert remote.boot_t.tobytes() == local.boot_t.tobytes()
    np.testing.assert_array_equal(remote.boot_failed, local.boot_failed)
    assert remote.boot_notes == local.boot_notes


def test_replicates_are_spread_over_both_workers(cluster):
    from customsnet.modeling.estimation.bootstrap import run_replicates
    from customsnet.modeling.estimation.estimators import ReplicateFits

    counts = np.arange(24).reshape(12, 2)
    result = run_replicates(_WhoRuns(), counts, scheduler=cluster.address)
    assert result.raw.shape == (12, 1)
    assert len(set(result.raw[:, 0].tolist())) == 2  # two distinct worker process ids
    assert isinstance(result, ReplicateFits)


class _WhoRuns:
    """A statistic that records the worker process that evaluated each replicate."""

    n_params = 1

    def __call__(self, counts):
        from customsnet.modeling.estimation.estimators import ReplicateFits

        return ReplicateFits(
            np.full((len(counts), 1), float(os.getpid())), np.zeros(len(counts), bool), [""] * len(counts)
        )


class _MappedProbe:
    """Reports, per replicate, whether its big array arrived memory-mapped (1) or as a copy (0)."""

    n_params = 2

    def __init__(self) -> None:
        self.rows = np.arange(300_000, dtype=np.float64)  # 2.4 MB: above the mapping threshold

    def __call__(self, counts):
        from customsnet.modeling.estimation.estimators import ReplicateFits

        mapped = float(isinstance(self.rows, np.memmap) and not self.rows.flags.writeable)
        total = float(self.rows.sum())
        out = np.tile([mapped, total], (len(counts), 1))
        return ReplicateFits(out, np.zeros(len(counts), bool), [""] * len(counts))


@pytest.mark.parametrize(("share", "mapped"), [("auto", 1.0), ("mmap", 1.0), ("copy", 0.0)])
def test_loopback_workers_map_one_read_only_copy(cluster, share, mapped):
    from customsnet.modeling.estimation.bootstrap import run_replicates

    probe = _MappedProbe()
    result = run_replicates(probe, np.ones((4, 2), dtype=np.int64), scheduler=cluster.address, share=share)
    np.testing.assert_array_equal(result.raw[:, 0], mapped)
    np.testing.assert_array_equal(result.raw[:, 1], probe.rows.sum())


def test_cluster_gof_and_sensitivity_are_bit_identical_to_local(cluster):
    """The per-year GOF chains and the per-(share, rep) refits on the cluster: the same numbers as here."""
    from reference_rows import REFERENCE

    from customsnet.modeling.evaluation.gof import gof
    from customsnet.modeling.evaluation.sensitivity import rewiring_study
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel
    from customsnet.modeling.simulation.settings import SimulationSettings

    case = REFERENCE / "case1"
    if not case.is_dir():
        pytest.skip(f"reference data not found at {case}")
    panel = read_reference_panel(case).subset_years([8, 9, 10])
    coefs = pd.read_csv(case / "coef.csv", index_col=0)["btergm_speedglm"]
    local = SimulationSettings(nsim=3, seed=4, burnin=200, interval=20)
    remote = SimulationSettings(nsim=3, seed=4, burnin=200, interval=20, scheduler=cluster.address)
    a = gof(coefs, panel, formula=REFERENCE_FORMULA, settings=local, tie_prediction=False)
    b = gof(coefs, panel, formula=REFERENCE_FORMULA, settings=remote, tie_prediction=False)
    assert all(a.raw_sim[k].tobytes() == b.raw_sim[k].tobytes() for k in a.raw_sim)
    assert b.settings["scheduler"] == cluster.address
    formula = "nets ~ edges + gwesp(0.5, fixed = TRUE)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        here = rewiring_study(panel, formula, shares=[0.5], seed=2, terms="all")
        there = rewiring_study(panel, formula, shares=[0.5], seed=2, terms="all", scheduler=cluster.address)
    assert here["estimate"].to_numpy().tobytes() == there["estimate"].to_numpy().tobytes()
