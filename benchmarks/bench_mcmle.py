"""Benchmark: MCMC-MLE of the pooled TERGM, on the reference ``big`` cases and in a recovery study.

``big``: the reference formula (edges + gwesp + gwdegree + edgecov + absdiff + stability memory)
on the ``big`` panels (T = 31, n = 200, 30 modeled years pooled), printing wall time, MCMLE
iterations, effective sample sizes, peak memory and the estimates next to the MPLE. In ``big``
ties never dissolve, so the stability memory is separated and neither the MPLE nor the MLE
exists for it; btergm's IRLS value starts the chain there and the run shows what happens.
``big_dissolve`` is the well-posed version (every coefficient exists).

``recovery``: panels simulated from known parameters of a gwesp + gwdegree + edgecov + memory
TERGM are refitted by MCMC-MLE; counts how often the 95% Wald intervals cover the truth.

    python benchmarks/bench_mcmle.py big --cases big_dissolve --jobs 2
    python benchmarks/bench_mcmle.py recovery --reps 20 --jobs 1 --interval 256 --burnin 4096
    python benchmarks/bench_mcmle.py recovery-curved --reps 20 --jobs 1 --interval 256 --burnin 4096
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
import scipy.sparse as sp

from customsnet.modeling.design.build import build_design, step_inputs
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.estimation.mcmc_sample import StepModel, run_chain
from customsnet.modeling.estimation.mcmle import MCMLEControl, fit_mcmle
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel
from customsnet.modeling.terms.formula import as_formula

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "btergm"


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident memory (MB) of this process and of its largest finished child (joblib workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return own, children


def bench_big(case: str, jobs: int, seed: int, control: MCMLEControl) -> None:
    path = REFERENCE / case
    if not path.is_dir():
        print(f"{case}: reference data not found at {path}; skipped")
        return
    panel = read_reference_panel(path)
    t0 = time.perf_counter()
    design = build_design(panel, REFERENCE_FORMULA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mple = fit_tergm(design, estimator="mple", bootstrap=0)
        start = mple.estimates
        if not np.all(np.isfinite(start)):
            btergm = fit_tergm(design, estimator="btergm", bootstrap=0)
            print(
                f"{case}: the MPLE does not exist for {[n for n, v in zip(mple.names, start) if not np.isfinite(v)]};"
                " starting from btergm's IRLS values"
            )
            start = btergm.estimates
    t_mple = time.perf_counter() - t0

    def report(r: dict) -> None:
        print(
            f"  iteration {r['iteration']:2d}: step {r['gamma']:.3f} (trust x{r['trust_scale']:.2f}), interval "
            f"{r['interval']}, min ESS {r['min_ess']:.0f}, max |t| {r['max_abs_t']:.2f}, {r['seconds']:.1f} s wall, "
            f"{r['cpu_seconds']:.1f} s chain CPU",
            flush=True,
        )

    t1 = time.perf_counter()
    cpu_main = time.process_time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit_mcmle(
            panel, REFERENCE_FORMULA, control=control, seed=seed, n_jobs=jobs, start=start, progress=report
        )
    wall = time.perf_counter() - t1
    cpu_main = time.process_time() - cpu_main
    own, children = peak_rss_mb()
    ess = np.asarray(result.diagnostics["ess"])
    print(
        f"{case}: MPLE {t_mple:.1f} s; MCMC-MLE wall {wall:.1f} s, {result.iterations} iterations, converged "
        f"{result.converged}, final interval {int(result.diagnostics['final_interval'][0])}, jobs {jobs}"
    )
    cpu = result.diagnostics["total_cpu_seconds"][0]
    print(
        f"  CPU time: chains {cpu:.1f} s in total, main process {cpu_main:.1f} s (with n_jobs = 1 the chains run "
        "in the main process and are counted in both; on an idle machine wall ~ chains / jobs + main); "
        f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(f"  ESS at the estimate: {dict(zip(result.names, np.round(ess).astype(int)))}")
    print(f"  peak RSS: main {own:.0f} MB, largest worker {children:.0f} MB")
    table = pd.DataFrame(
        {
            "start (MPLE)": start,
            "MCMC-MLE": result.estimates,
            "SE": result.std_errors.to_numpy(),
            "MCMC SE": result.mcmc_std_errors.to_numpy(),
            "t ratio": result.diagnostics["t_ratio"],
        },
        index=result.names,
    )
    with pd.option_context("display.width", 160, "display.float_format", "{:.4f}".format):
        print(table.to_string())
    for w in caught:
        print(f"  warning: {w.message}")


# --------------------------------------------------------------------------- recovery
RECOVERY_FORMULA = (
    'nets ~ edges + gwesp(0.5, fixed = TRUE) + gwdegree(0.5, fixed = TRUE) + edgecov(cov) + memory(type = "stability")'
)
TRUTH = np.array([-2.5, 0.5, -0.4, 0.8, 1.0])
# the curved study: gwesp's decay is estimated (truth 0.5), coefficients edges, gwesp, gwesp.decay, edgecov, memory
CURVED_FORMULA = 'nets ~ edges + gwesp(0.5, fixed = FALSE) + edgecov(cov) + memory(type = "stability")'
CURVED_SIMULATION = 'nets ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(cov) + memory(type = "stability")'
CURVED_TRUTH = np.array([-2.5, 0.5, 0.5, 0.8, 1.0])


def simulate_panel(
    rng: np.random.Generator,
    n: int = 50,
    years: int = 6,
    burnin: int = 60_000,
    formula_text: str = RECOVERY_FORMULA,
    truth: np.ndarray | None = None,
) -> Panel:
    """A panel drawn from ``formula_text`` at ``truth`` (default RECOVERY_FORMULA at TRUTH), year by year.

    Year 1 is drawn from edges + edgecov only; the fixed-decay formula at decay 0.5 is the curved
    model at α = 0.5.
    """
    truth = TRUTH if truth is None else truth
    labels = np.array([str(i) for i in range(n)])
    covs = {}
    for y in range(1, years + 1):
        c = rng.normal(size=(n, n))
        c = (c + c.T) / 2
        np.fill_diagonal(c, 0.0)
        covs[y] = c
    nets = {y: sp.csr_matrix((n, n)) for y in range(1, years + 1)}
    p = 1 / (1 + np.exp(-(-2.5 + 0.8 * covs[1])))
    a = np.triu(rng.random((n, n)) < p, 1)
    nets[1] = sp.csr_matrix((a | a.T).astype(float))
    panel = Panel(
        years=list(range(1, years + 1)),
        nodes={y: labels for y in nets},
        networks={"nets": nets},
        dyad_covs={"cov": covs},
    )
    formula = as_formula(formula_text)
    for y in range(2, years + 1):
        step = StepModel.from_step(formula, step_inputs(panel, formula, y))
        draw = run_chain(
            step, truth, np.zeros((0, 2)), 1, burnin, 1, np.random.SeedSequence(int(rng.integers(1 << 62)))
        )
        e = draw.end_edges
        m = sp.csr_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(n, n))
        panel.networks["nets"][y] = (m + m.T).tocsr()
    return panel


def bench_recovery(reps: int, jobs: int, seed: int, control: MCMLEControl, curved: bool = False) -> None:
    rng = np.random.default_rng(seed)
    fit_formula = CURVED_FORMULA if curved else RECOVERY_FORMULA
    truth = CURVED_TRUTH if curved else TRUTH
    names = (
        ["edges", "gwesp", "gwesp.decay", "edgecov.cov[[i]]", "edgecov.memory[[i]]"]
        if curved
        else as_formula(RECOVERY_FORMULA).coef_names(False)
    )
    covered = np.zeros((reps, len(truth)), dtype=bool)
    estimates = np.full((reps, len(truth)), np.nan)
    failed = 0
    t0 = time.perf_counter()
    for r in range(reps):
        # the curved model at decay 0.5 is the fixed-decay model: simulate that (no decay coefficient)
        panel = simulate_panel(
            rng,
            formula_text=CURVED_SIMULATION if curved else RECOVERY_FORMULA,
            truth=np.delete(truth, 2) if curved else truth,
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = fit_mcmle(panel, fit_formula, control=control, seed=seed + r, n_jobs=jobs)
        except Exception as exc:  # noqa: BLE001 -- a replicate whose fit fails counts as not covering
            failed += 1
            print(f"  rep {r}: failed ({exc})")
            continue
        ci = result.conf_int()
        covered[r] = (ci.iloc[:, 0].to_numpy() <= truth) & (truth <= ci.iloc[:, 1].to_numpy())
        estimates[r] = result.estimates
        ties = [int(panel.networks["nets"][y].nnz // 2) for y in panel.years]
        print(
            f"  rep {r}: ties {ties}, iterations {result.iterations}, converged {result.converged}, "
            f"covered {covered[r].astype(int).tolist()}",
            flush=True,
        )
    print(
        f"recovery ({fit_formula}): {reps} panels (n = 50, 6 years, 5 modeled), {time.perf_counter() - t0:.0f} s, "
        f"{failed} failed"
    )
    print(f"  95% Wald intervals covering the truth: {covered.sum()} of {covered.size} ({covered.mean():.1%})")
    table = pd.DataFrame(
        {
            "truth": truth,
            "mean estimate": np.nanmean(estimates, axis=0),
            "sd": np.nanstd(estimates, axis=0),
            "covered": covered.sum(axis=0),
        },
        index=names,
    )
    print(table.to_string(float_format="{:.4f}".format))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["big", "recovery", "recovery-curved"])
    parser.add_argument("--cases", nargs="+", default=["big_dissolve", "big"])
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samplesize", type=int, default=1024)
    parser.add_argument("--interval", type=int, default=1024)
    parser.add_argument("--burnin", type=int, default=16384)
    args = parser.parse_args()
    control = MCMLEControl(samplesize=args.samplesize, interval=args.interval, burnin=args.burnin)
    if args.mode == "big":
        for case in args.cases:
            bench_big(case, args.jobs, args.seed, control)
    else:
        bench_recovery(args.reps, args.jobs, args.seed, control, curved=args.mode == "recovery-curved")


if __name__ == "__main__":
    main()
