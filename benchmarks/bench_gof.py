"""Time GOF with 100 simulations for one 230-node year with about 800 ties (target: under 60 s).

    python benchmarks/bench_gof.py [--nodes 230] [--ties 800] [--nsim 100] [--seed 1]

A synthetic two-year panel (ties with triadic closure, a continuous dyadic covariate, a node
attribute; year 2 = year 1 plus new ties minus a few dissolved ones) is fitted with btergm's IRLS on
the reference formula; then ``gof`` simulates ``nsim`` networks of year 2 (btergm's burn-in 10,000 and
interval 1,000) and computes degree, ESP, DSP, geodesic and tie prediction, once with customsnet's
counting and once btergm-compatible. Also times the honest prediction (10 sweeps of burn-in from
year 1, one sweep between draws), which does far more proposals. The first numba call compiles or
loads the kernel from cache; it is timed separately.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import scipy.sparse as sp

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.evaluation.gof import gof
from customsnet.modeling.evaluation.predict import predict_honest
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.panel.reference import REFERENCE_FORMULA
from customsnet.modeling.simulation.settings import SimulationSettings
from customsnet.modeling.simulation.simulate import simulate, simulation_inputs


def synthetic_panel(n: int, ties: int, seed: int) -> Panel:
    """Two years on ``n`` nodes: ~``ties`` ties in year 2 with some triadic closure."""
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    dist = np.sqrt(((pos[:, None, :] - pos[None, :, :]) ** 2).sum(-1))
    cov = rng.normal(size=(n, n))
    cov = (cov + cov.T) / 2
    np.fill_diagonal(cov, 0.0)
    x = rng.normal(size=n)
    social = rng.normal(scale=0.8, size=n)  # degree heterogeneity
    # spatial closeness gives shared partners; the covariate and attribute shift the odds
    logit = -3.0 - 8.0 * dist + 0.6 * cov - 0.4 * np.abs(x[:, None] - x[None, :]) + social[:, None] + social[None, :]
    iu = np.triu_indices(n, 1)
    order = np.argsort(-(logit[iu] + rng.gumbel(size=len(iu[0]))))
    y2 = np.zeros((n, n))
    keep = order[:ties]
    y2[iu[0][keep], iu[1][keep]] = 1
    y1 = y2.copy()
    drop = rng.choice(keep, size=int(0.08 * ties), replace=False)  # new in year 2
    y1[iu[0][drop], iu[1][drop]] = 0
    extra = order[ties : ties + int(0.02 * ties)]  # dissolved before year 2
    y1[iu[0][extra], iu[1][extra]] = 1
    nets = {1: sp.csr_matrix(y1 + y1.T), 2: sp.csr_matrix(y2 + y2.T)}
    labels = np.array([f"n{k}" for k in range(n)])
    return Panel(
        years=[1, 2],
        nodes={1: labels, 2: labels},
        networks={"nets": nets},
        dyad_covs={"cov": {1: cov, 2: cov}},
        node_attrs={"x": {1: x, 2: x}},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=230)
    parser.add_argument("--ties", type=int, default=800)
    parser.add_argument("--nsim", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    panel = synthetic_panel(args.nodes, args.ties, args.seed)
    n_ties = panel.network("nets", 2).nnz // 2
    print(f"panel: {args.nodes} nodes, year 1 {panel.network('nets', 1).nnz // 2} ties, year 2 {n_ties} ties")
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_tergm(build_design(panel, REFERENCE_FORMULA), estimator="btergm", bootstrap=0)
    print(f"fit (btergm IRLS, one step): {time.perf_counter() - t:.2f} s")
    print("  " + ", ".join(f"{k} {v:.3f}" for k, v in fit.params.items()))

    ym = simulation_inputs(fit, panel, formula=REFERENCE_FORMULA, year=2)
    t = time.perf_counter()
    simulate(ym.model, ym.observed, nsim=1, seed=0, burnin=10, interval=10)
    print(f"numba warm-up (compile or cache load): {time.perf_counter() - t:.2f} s")

    for compatible in (False, True):
        t = time.perf_counter()
        result = gof(
            fit,
            panel,
            formula=REFERENCE_FORMULA,
            years=[2],
            settings=SimulationSettings(nsim=args.nsim, seed=args.seed),
            btergm_compatible=compatible,
            rgraph_seed=args.seed + 1,
        )
        total = time.perf_counter() - t
        sim_edges = result.raw_sim["esp"].sum(axis=0).mean() / (2 if compatible else 1)
        mode = "btergm-compatible" if compatible else "customsnet counts"
        print(
            f"gof nsim={args.nsim} ({mode}): {total:.2f} s total, of which simulation "
            f"{result.settings['simulation_seconds']:.2f} s; mean simulated ties {sim_edges:.0f} "
            f"(observed {n_ties}); auc.roc {result.tie_prediction.auc_roc:.3f} "
            f"auc.pr {result.tie_prediction.auc_pr:.3f}"
            f" -> {'OK' if total < 60 else 'SLOWER THAN'} 60 s target"
        )

    t = time.perf_counter()
    honest = predict_honest(
        fit,
        panel,
        formula=REFERENCE_FORMULA,
        year=2,
        method="simulate",
        settings=SimulationSettings(nsim=args.nsim, seed=args.seed),
    )
    print(
        f"honest prediction (burn-in {honest.settings['burnin']:,}, interval {honest.settings['interval']:,}, "
        f"nsim {args.nsim}): {time.perf_counter() - t:.2f} s; new-tie ROC-AUC {honest.standard_new['roc_auc']:.3f}"
    )


if __name__ == "__main__":
    main()
