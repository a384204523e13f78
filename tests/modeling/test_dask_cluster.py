"""The Dask bootstrap on a real multi-process cluster: a dask-scheduler and two dask-workers on loopback.

Not an in-process cluster: the statistic is pickled to separate worker processes, the replicates
are split into chunks over them, and the estimates must be bit-identical to the local run.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import replace

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


def test_cluster_mcmle_chains_are_bit_identical_to_local(cluster):
    """The MCMC-MLE's chains (a gwesp model: the numba sampler runs on the workers) give the local fit."""
    from mcmle_cases import dyad_independent_panel

    from customsnet.modeling.estimation.mcmle import MCMLEControl, fit_mcmle

    panel = dyad_independent_panel(seed=4, n=16, years=3)
    formula = "nets ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(cov)"
    control = MCMLEControl(samplesize=64, n_chains=2, burnin=300, interval=40, max_iterations=2, min_ess=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = fit_mcmle(panel, formula, control=control, seed=9, n_jobs=1)
        remote = fit_mcmle(panel, formula, control=control, seed=9, scheduler=cluster.address)
    assert remote.estimates.tobytes() == local.estimates.tobytes()
    assert remote.covariance.tobytes() == local.covariance.tobytes()
    assert remote.final_sample.tobytes() == local.final_sample.tobytes()
    assert [r["theta"] for r in remote.trace] == [r["theta"] for r in local.trace]
    assert remote.diagnostics["ess"] == local.diagnostics["ess"]
    assert len(local.trace) == 2 and np.all(np.isfinite(local.estimates))


def test_mcmle_chains_are_tasks_spread_over_both_workers(cluster):
    """Each chain is one task: a sample of 2 years x 2 chains runs on both worker processes, and a
    client handed in is left open for its owner."""
    from mcmle_cases import dyad_independent_panel

    from customsnet.modeling.estimation.chain_dispatch import ChainDispatch, ChainTask
    from customsnet.modeling.estimation.mcmle import pooled_steps

    panel = dyad_independent_panel(seed=4, n=12, years=3)
    steps, _ = pooled_steps(panel, "nets ~ edges + edgecov(cov)")
    theta = np.array([-1.0, 0.5])
    seeds = [np.random.SeedSequence(1, spawn_key=(t, c)) for t in range(2) for c in (0, 1)]
    tasks = [ChainTask(k // 2, theta, None, 4, 10, 5, s) for k, s in enumerate(seeds)]
    with distributed.Client(cluster.address, timeout=30) as client:
        with ChainDispatch(steps, scheduler=client) as dispatch, distributed.get_task_stream(client) as stream:
            remote = dispatch.run(tasks)
        assert client.status == "running"
    workers = {t["worker"] for t in stream.data if str(t["key"]).startswith("run_chain")}
    assert len(workers) == 2
    local = ChainDispatch(steps).run(tasks)
    for a, b in zip(remote, local):
        assert a.stats.tobytes() == b.stats.tobytes()
        np.testing.assert_array_equal(a.end_edges, b.end_edges)


def test_fit_command_sends_the_mcmle_chains_to_the_scheduler(cluster, tmp_path):
    """``customsnet fit --estimator mcmle --scheduler`` saves the fit the local run saves."""
    from click.testing import CliRunner
    from mcmle_cases import dyad_independent_panel

    from customsnet.cli import main
    from customsnet.modeling.results import FitResult

    panel = dyad_independent_panel(seed=5, n=12, years=3).save(tmp_path / "panel.npz")
    args = ["--quiet", "fit", "--panel", str(panel), "--formula", "nets ~ edges + edgecov(cov)", "--estimator"]
    args += ["mcmle", "--seed", "3", "--mcmc-samplesize", "64", "--mcmc-burnin", "200", "--mcmc-interval", "20"]
    runner = CliRunner()
    local = runner.invoke(main, [*args, "--jobs", "1", "--out", str(tmp_path / "local")])
    remote = runner.invoke(main, [*args, "--scheduler", cluster.address, "--out", str(tmp_path / "remote")])
    assert local.exit_code == 0 and remote.exit_code == 0, (local.output, remote.output)
    a, b = FitResult.load(tmp_path / "local" / "fit.json"), FitResult.load(tmp_path / "remote" / "fit.json")
    assert a.estimates.tobytes() == b.estimates.tobytes() and a.covariance.tobytes() == b.covariance.tobytes()


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
    # a connected Client works as well as an address (the tasks' settings carry its address)
    with distributed.Client(cluster.address, timeout=30) as client:
        c = gof(
            coefs, panel, formula=REFERENCE_FORMULA, settings=replace(remote, scheduler=client), tie_prediction=False
        )
    assert all(a.raw_sim[k].tobytes() == c.raw_sim[k].tobytes() for k in a.raw_sim)
    assert c.settings["scheduler"] == cluster.address
    formula = "nets ~ edges + gwesp(0.5, fixed = TRUE)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        here = rewiring_study(panel, formula, shares=[0.5], seed=2, terms="all")
        there = rewiring_study(panel, formula, shares=[0.5], seed=2, terms="all", scheduler=cluster.address)
    assert here["estimate"].to_numpy().tobytes() == there["estimate"].to_numpy().tobytes()
