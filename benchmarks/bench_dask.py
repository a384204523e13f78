"""Benchmark: the bootstrap on a real Dask cluster (loopback scheduler + N worker processes).

For each worker count it starts a :class:`~customsnet.modeling.estimation.dask_cluster.LoopbackCluster`,
runs ``fit_tergm(..., bootstrap=R, scheduler=address)`` and reports wall time, the speed-up over
one worker and per worker, and whether the estimates are bit-identical to the local run. The
workers are single-threaded processes; on a 2-core machine more than two cannot help, and the
load average (printed) says how much of the machine the run actually had.

    python benchmarks/bench_dask.py                         # big, btergm, R = 100, 1 and 2 workers
    python benchmarks/bench_dask.py --case case1_dissolve --R 40 --workers 1 2 4
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.dask_cluster import LoopbackCluster
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "btergm"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def fit(design, estimator: str, R: int, seed: int, scheduler=None):
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = fit_tergm(design, estimator=estimator, bootstrap=R, seed=seed, scheduler=scheduler)
    return result, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default="big")
    ap.add_argument("--estimator", default="btergm")
    ap.add_argument("--R", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args()
    path = REFERENCE / args.case
    if not path.is_dir():
        print(f"{args.case}: reference data not found at {path}; skipped")
        return
    design = build_design(read_reference_panel(path), REFERENCE_FORMULA)
    print(f"== {args.case}: {design.meta['n_rows']:,} rows, {args.estimator}, R = {args.R}")
    local, t_local = fit(design, args.estimator, args.R, args.seed)
    print(f"-- local (1 thread): {t_local:.2f} s wall; {load()}")
    base = None
    for n in args.workers:
        t0 = time.perf_counter()
        with LoopbackCluster(n_workers=n, timeout=180) as cluster:
            t_start = time.perf_counter() - t0
            remote, t_fit = fit(design, args.estimator, args.R, args.seed, scheduler=cluster.address)
        same = remote.boot_t.tobytes() == local.boot_t.tobytes() and np.array_equal(
            remote.estimates, local.estimates, equal_nan=True
        )
        base = base or t_fit * 1.0
        speedup = base / t_fit
        print(
            f"-- {n} worker(s): fit {t_fit:.2f} s wall (cluster start {t_start:.1f} s); speed-up over 1 worker "
            f"x{speedup:.2f} (x{speedup / n:.2f} per worker); over local x{t_local / t_fit:.2f}; "
            f"bit-identical to local: {same}; {load()}"
        )


if __name__ == "__main__":
    main()
