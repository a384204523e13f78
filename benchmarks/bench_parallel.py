"""Benchmark: the simulation-heavy after-fit steps on one process, two processes and a Dask cluster.

``gof`` (per-year chains with their GOF statistics), ``check_degeneracy`` (per-year chains) and
``rewiring_study`` (one refit per rewired panel) all run their tasks through
:func:`customsnet.modeling.parallel.map_tasks`. For each step this prints the wall time with one
job, with ``--jobs`` local processes and on a loopback Dask cluster of ``--jobs`` worker
processes, the speed-up over one job (overall and per worker), and whether the results are
bit-identical to the one-job run. Fresh workers first import customsnet and load the compiled
sampler (a few seconds, paid once per session: joblib keeps its workers, a Dask cluster keeps its
own); that start-up is timed and printed separately, with a one-network GOF and degeneracy run
in each back-end, before the timed runs. The load average says how much of the machine the runs had.

    python benchmarks/bench_parallel.py                       # big: gof and degeneracy nsim 100, 6 mple refits
    python benchmarks/bench_parallel.py --case case1 --nsim 100 --jobs 2
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
import warnings
from pathlib import Path

import numpy as np

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.dask_cluster import LoopbackCluster
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.evaluation.degeneracy import check_degeneracy
from customsnet.modeling.evaluation.gof import gof
from customsnet.modeling.evaluation.sensitivity import rewiring_study
from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel
from customsnet.modeling.simulation.settings import SimulationSettings

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "btergm"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def digest(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:16]


def run_gof(fit, panel, nsim: int, n_jobs: int, scheduler=None) -> str:
    g = gof(fit, panel, settings=SimulationSettings(nsim=nsim, seed=1, n_jobs=n_jobs, scheduler=scheduler))
    return digest(*(g.raw_sim[k] for k in sorted(g.raw_sim)), *(g.raw_obs[k] for k in sorted(g.raw_obs)))


def run_degeneracy(fit, panel, nsim: int, n_jobs: int, scheduler=None) -> str:
    d = check_degeneracy(fit, panel, settings=SimulationSettings(nsim=nsim, seed=1, n_jobs=n_jobs, scheduler=scheduler))
    return digest(d.table.select_dtypes("number").to_numpy())


def run_rewiring(panel, shares: list[float], n_jobs: int, scheduler=None) -> str:
    frame = rewiring_study(
        panel, REFERENCE_FORMULA, shares=shares, reps=1, estimator="mple", seed=1, n_jobs=n_jobs, scheduler=scheduler
    )
    return digest(frame[["share", "rep", "estimate"]].to_numpy(dtype=np.float64))


def warm_up(fit, panel, n_jobs: int, scheduler=None) -> None:
    """One network of GOF and of the degeneracy check in each worker: imports and the compiled sampler."""
    settings = SimulationSettings(nsim=1, seed=1, burnin=10, interval=1, n_jobs=n_jobs, scheduler=scheduler)
    years = fit.years[-max(n_jobs, 2) :]
    gof(fit, panel, settings=settings, years=years, tie_prediction=False)
    check_degeneracy(fit, panel, settings=settings, years=years)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default="big")
    ap.add_argument("--nsim", type=int, default=100, help="GOF networks per year (btergm's default)")
    ap.add_argument("--degeneracy-nsim", type=int, default=100)
    ap.add_argument("--shares", type=float, nargs="+", default=[0.05, 0.1, 0.2, 0.3, 0.4])
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    path = REFERENCE / args.case
    if not path.is_dir():
        print(f"{args.case}: reference data not found at {path}; skipped")
        return
    warnings.simplefilter("ignore")
    panel = read_reference_panel(path)
    fit = fit_tergm(build_design(panel, REFERENCE_FORMULA), estimator="btergm")
    steps = {
        f"gof (nsim {args.nsim} per year, {len(fit.years)} years)": lambda j, s=None: run_gof(
            fit, panel, args.nsim, j, s
        ),
        f"check_degeneracy (nsim {args.degeneracy_nsim} per year)": lambda j, s=None: run_degeneracy(
            fit, panel, args.degeneracy_nsim, j, s
        ),
        f"rewiring_study ({len(args.shares) + 1} mple refits)": lambda j, s=None: run_rewiring(
            panel, args.shares, j, s
        ),
    }
    print(f"== {args.case}: {len(panel.years)} years; {os.cpu_count()} CPUs; {load()}")
    t0 = time.perf_counter()
    warm_up(fit, panel, args.jobs)
    print(f"   {args.jobs} local worker processes: start-up and first use {time.perf_counter() - t0:.1f} s")
    timings: dict[str, dict[str, tuple[float, str]]] = {}
    for name, step in steps.items():
        for label, jobs in (("1 job", 1), (f"{args.jobs} processes", args.jobs)):
            t0 = time.perf_counter()
            h = step(jobs)
            timings.setdefault(name, {})[label] = (time.perf_counter() - t0, h)
    t0 = time.perf_counter()
    with LoopbackCluster(n_workers=args.jobs, timeout=180) as cluster:
        warm_up(fit, panel, 1, cluster.address)
        print(
            f"   Dask cluster of {args.jobs} worker processes: start-up and first use {time.perf_counter() - t0:.1f} s"
        )
        for name, step in steps.items():
            t0 = time.perf_counter()
            h = step(1, cluster.address)
            timings[name][f"dask, {args.jobs} workers"] = (time.perf_counter() - t0, h)
    for name, runs in timings.items():
        base, base_hash = runs["1 job"]
        print(f"-- {name}: 1 job {base:.2f} s")
        for label, (wall, h) in runs.items():
            if label == "1 job":
                continue
            speed = base / wall
            print(
                f"   {label}: {wall:.2f} s; speed-up x{speed:.2f} (x{speed / args.jobs:.2f} per worker); "
                f"bit-identical to 1 job: {h == base_hash}"
            )
    print(f"   {load()}")


if __name__ == "__main__":
    main()
