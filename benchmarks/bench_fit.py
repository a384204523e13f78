"""Benchmark: fit the reference ``big`` cases (T = 31, 200 nodes, 597,000 rows) with R = 100.

Prints, per estimator: wall time, CPU time (all threads, plus any child processes), peak RSS,
the load average it ran at, the number of design passes (rows streamed through the statistics
kernel, in units of the whole design), the measured CPU time of one pass (``X'WX``, ``X'Wz``,
gradient and deviance over every row once), the ratio of the fit's CPU time to that limit
(passes x one pass), parity with btergm's coefficients and the speed-up over btergm's own
``btergm(..., R = 100)`` timing measured on a 2-core machine (744 s big, 291 s big_dissolve).

    python benchmarks/bench_fit.py                      # big and big_dissolve, btergm and mple modes
    python benchmarks/bench_fit.py --cases big --estimators btergm --R 100 --jobs 2
    python benchmarks/bench_fit.py --scale 1000        # also a 1,000-node, 31-year synthetic panel
    python benchmarks/bench_fit.py --cases big --estimators btergm mple mple:cold   # mple without warm starts
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.estimation.logit_stats import (
    MODE_R_CLAMPED,
    StackedRows,
    pair_statistics,
    rows_evaluated,
)
from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "btergm"
BTERGM_SECONDS = {"big": 744.442, "big_dissolve": 290.927}


def peak_rss_mb() -> float:
    """Peak resident memory of this process (or of its largest child, e.g. a joblib worker)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


def cpu_seconds() -> float:
    """User + system CPU time of this process (all threads) and its finished children."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def one_pass_seconds(design, beta: np.ndarray, repeat: int = 5) -> float:
    """CPU time of one single-threaded pass of the statistics kernel over every row (best of ``repeat``)."""
    rows = StackedRows.from_design(design)
    steps = np.arange(rows.n_steps)
    B = np.nan_to_num(np.asarray(beta, dtype=np.float64))[None, :]
    pair_statistics(rows, steps, np.zeros(len(steps), np.int64), B, MODE_R_CLAMPED)  # compile / warm cache
    best = np.inf
    for _ in range(repeat):
        c0 = time.process_time()
        pair_statistics(rows, steps, np.zeros(len(steps), np.int64), B, MODE_R_CLAMPED)
        best = min(best, time.process_time() - c0)
    return best


def timed_fit(design, estimator: str, R: int, jobs: int, seed: int, scheduler=None, record=None):
    """Fit with bootstrap; returns the result and a dict of wall, CPU, passes, RSS and load.

    ``estimator`` may carry ``:cold`` (e.g. ``mple:cold``): replicates start at zero, not warm.
    """
    estimator, _, variant = estimator.partition(":")
    n_rows = sum(len(s.y) for s in design.steps)
    before = load()
    r0 = rows_evaluated()
    t0, c0 = time.perf_counter(), cpu_seconds()
    with warnings.catch_warnings(record=record is not None) as caught:
        warnings.simplefilter("always" if record is not None else "ignore")
        result = fit_tergm(
            design,
            estimator=estimator,
            bootstrap=R,
            seed=seed,
            n_jobs=jobs,
            scheduler=scheduler,
            warm_start=variant != "cold",
        )
    stats = {
        "wall": time.perf_counter() - t0,
        "cpu": cpu_seconds() - c0,
        "passes": (rows_evaluated() - r0) / n_rows,
        "rss": peak_rss_mb(),
        "load": f"{before} -> {load()}",
    }
    if record is not None:
        record.extend(caught or [])
    return result, stats


def print_costs(stats: dict, pass_s: float, r_seconds: float | None, r_case: str = "this case") -> None:
    limit = stats["passes"] * pass_s
    print(f"   wall {stats['wall']:.2f} s; CPU {stats['cpu']:.1f} s; peak RSS {stats['rss']:.0f} MB; {stats['load']}")
    print(
        f"   {stats['passes']:.0f} design passes x {pass_s * 1e3:.1f} ms (one pass, 1 thread) "
        f"= limit {limit:.1f} s CPU; "
        f"CPU / limit = {stats['cpu'] / limit:.2f}"
        if limit > 0
        else "   no kernel passes in this process"
    )
    if r_seconds:
        print(f"   R btergm's {r_seconds:.0f} s on {r_case} / wall = x{r_seconds / stats['wall']:.0f}")


def print_cpu_ratios(cpu_by_estimator: dict[str, float]) -> None:
    """btergm mode's CPU time over each MPLE variant's that ran."""
    for other in ("mple", "mple:cold"):
        if "btergm" in cpu_by_estimator and other in cpu_by_estimator:
            print(f"   CPU btergm / {other} = {cpu_by_estimator['btergm'] / cpu_by_estimator[other]:.2f}")


def bench_case(case: str, estimators: list[str], R: int, jobs: int, seed: int) -> None:
    path = REFERENCE / case
    if not path.is_dir():
        print(f"{case}: reference data not found at {path}; skipped")
        return
    t0 = time.perf_counter()
    design = build_design(read_reference_panel(path), REFERENCE_FORMULA)
    t_design = time.perf_counter() - t0
    rows = sum(len(s.y) for s in design.steps)
    print(f"\n== {case}: T' = {design.n_steps}, {rows:,} rows x {len(design.names)} terms; design {t_design:.2f} s")
    coef = pd.read_csv(path / "coef.csv", index_col=0)
    ref_ci = pd.read_csv(path / "confint.csv", index_col=0)
    pass_s = one_pass_seconds(design, coef.iloc[:, 0].to_numpy())
    cpu_by_estimator = {}
    for estimator in estimators:
        caught: list = []
        result, stats = timed_fit(design, estimator, R, jobs, seed, record=caught)
        cpu_by_estimator[estimator] = stats["cpu"]
        print(
            f"-- {estimator}: fit + bootstrap R={R} with {jobs} thread(s) "
            f"(design + fit {stats['wall'] + t_design:.2f} s); "
            f"{result.iterations} iterations; failed replicates {result.n_failed}"
        )
        print_costs(stats, pass_s, BTERGM_SECONDS.get(case))
        est = result.params
        if estimator.startswith("btergm"):
            err = np.abs(est.to_numpy() - coef.iloc[:, 0].to_numpy()).max()
            print(f"   max |coef - btergm| = {err:.2e}")
        else:
            ref = coef.iloc[:, 1]
            ok = np.isfinite(est.to_numpy())
            err = np.abs(est.to_numpy()[ok] - ref.to_numpy()[ok]).max()
            print(
                f"   identified terms: max |coef - converged glm| = {err:.2e} "
                f"(not identified: {[n for n, k in zip(result.names, ok) if not k]})"
            )
        ci = result.conf_int()
        width = (ci.iloc[: len(result.names), 1] - ci.iloc[: len(result.names), 0]).to_numpy()
        ref_width = (ref_ci["97.5%"] - ref_ci["2.5%"]).to_numpy()
        ratio = np.round(width / ref_width, 2)
        print(
            f"   CI width / btergm's CI width (different draws, distributional check): {dict(zip(result.names, ratio))}"
        )
        for w in caught:
            print(f"   warning: {str(w.message)[:160]}")
    print_cpu_ratios(cpu_by_estimator)


def scale_panel(n: int, years: int, seed: int):
    """A synthetic accumulating network on ``n`` nodes: ~n/3 ties at the start, ~4n at the end."""
    import scipy.sparse as sp

    from customsnet.modeling.panel.panel import Panel

    rng = np.random.default_rng(seed)
    labels = np.array([str(k + 1) for k in range(n)])
    x = rng.normal(size=n)
    iu, ju = np.triu_indices(n, 1)
    order = rng.permutation(len(iu))[: 4 * n]
    first = np.sort(rng.integers(0, years, size=len(order)))
    first[: n // 3] = 0
    nets, covs = {}, {}
    for t in range(years):
        on = order[first <= t]
        a = sp.coo_matrix((np.ones(len(on)), (iu[on], ju[on])), shape=(n, n)).tocsr()
        nets[t + 1] = (a + a.T).tocsr()
        c = rng.normal(size=(n, n)).astype(np.float64)
        covs[t + 1] = np.triu(c, 1) + np.triu(c, 1).T
    return Panel(
        years=list(range(1, years + 1)),
        nodes={t: labels for t in nets},
        networks={"nets": nets},
        dyad_covs={"cov": covs},
        node_attrs={"x": {t: x for t in nets}},
    )


def bench_scale(n: int, years: int, estimators: list[str], R: int, jobs: int, seed: int) -> None:
    t0 = time.perf_counter()
    panel = scale_panel(n, years, seed)
    print(f"   panel: peak RSS {peak_rss_mb():.0f} MB")
    design = build_design(panel, REFERENCE_FORMULA)
    del panel  # the fit needs only the design (a script fitting a large panel would drop it too)
    t_design = time.perf_counter() - t0
    rows = sum(len(s.y) for s in design.steps)
    print(
        f"\n== scale: {n} nodes x {years} years, {design.n_dyads:,} dyads, {rows:,} rows; "
        f"panel + design {t_design:.1f} s; peak RSS {peak_rss_mb():.0f} MB"
    )
    runs = []
    for estimator in estimators:
        result, stats = timed_fit(design, estimator, R, jobs, seed)
        runs.append((estimator, result, stats))
    # timed after the fits: the extra copy of the rows it needs must not count in their peak RSS
    pass_s = one_pass_seconds(design, np.zeros(len(design.names)))
    big_rows = 597_000  # the reference ``big`` design, where R btergm's 744 s were measured
    cpu_by_estimator = {}
    for estimator, result, stats in runs:
        cpu_by_estimator[estimator] = stats["cpu"]
        print(f"-- {estimator}: fit + bootstrap R={R} with {jobs} thread(s); failed replicates {result.n_failed}")
        print_costs(stats, pass_s, BTERGM_SECONDS["big"], "big (not this panel)")
        # R was not run at this size; its time grows with the rows (design and every IRLS pass)
        r_scaled = BTERGM_SECONDS["big"] * rows / big_rows
        print(
            f"   R btergm not run at this size; scaled by rows ({rows / big_rows:.1f} x big's) it would take "
            f"~{r_scaled / 3600:.1f} h: wall ratio ~x{r_scaled / stats['wall']:.0f}"
        )
    print_cpu_ratios(cpu_by_estimator)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", nargs="*", default=["big", "big_dissolve"])
    ap.add_argument("--estimators", nargs="+", default=["btergm", "mple"])
    ap.add_argument("--R", type=int, default=100)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--scale", type=int, default=0, help="also fit a synthetic panel of this many nodes (e.g. 1000)")
    ap.add_argument("--scale-years", type=int, default=31)
    args = ap.parse_args()
    for case in args.cases:
        bench_case(case, args.estimators, args.R, args.jobs, args.seed)
    if args.scale:
        bench_scale(args.scale, args.scale_years, args.estimators, args.R, args.jobs, args.seed)


if __name__ == "__main__":
    main()
