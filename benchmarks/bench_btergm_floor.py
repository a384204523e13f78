"""Why btergm mode needs more design passes than MPLE mode on separated data, measured.

btergm reports wherever speedglm's IRLS stopped; under separation (``big``: ties never dissolve,
so edges and memory run off) that point depends on the whole iteration path from speedglm's own
start values, so no replicate can be warm-started. This prints, for ``R`` bootstrap replicates:

1. design passes per replicate (rows streamed through the statistics kernel, in units of the
   whole design) of the exact speedglm path, of MPLE warm-started at the full-data estimate (the
   default ``mple`` mode) and of MPLE from zero;
2. the passes and the error against the exact path when the overlap rows' statistics are reused
   more loosely (``reuse_tol``: the largest change of any overlap row's linear predictor for which
   cached statistics are reused; the default 1e-5 keeps btergm's values to ~1e-7);
3. how far the reported coefficients move when a single IRLS iterate is perturbed by a relative
   1e-7 (the precision float32 storage or a first-order update would give): the path amplifies
   such errors, so the early iterations must be computed exactly.

The ratio of (1) is the floor of btergm-mode / mple-mode CPU time when both run at the kernel's
speed (``bench_fit.py`` shows they do).

    python benchmarks/bench_btergm_floor.py                  # big, R = 20
    python benchmarks/bench_btergm_floor.py --case big_dissolve --R 20
"""

from __future__ import annotations

import argparse
import os
import warnings
from pathlib import Path

import numpy as np

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation import speedglm
from customsnet.modeling.estimation.bootstrap import draw_indices, step_counts
from customsnet.modeling.estimation.estimators import fit_btergm, fit_mple, replicates_mple
from customsnet.modeling.estimation.logit_stats import StackedRows, rows_evaluated
from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "btergm"


def passes(fn, n_rows: int, n_rep: int):
    r0 = rows_evaluated()
    out = fn()
    return out, (rows_evaluated() - r0) / n_rows / n_rep


def perturbed_iterate(rows, counts_r, split, k: int, eps: float, rng) -> np.ndarray:
    """One replicate's speedglm fit with the k-th solve's result multiplied by (1 + eps * N(0, 1))."""
    exact_solve = speedglm.r_solve
    calls = [0]

    def solve(A, b, tol=speedglm.TOL_SOLVE):
        x = exact_solve(A, b, tol)
        calls[0] += 1
        return x * (1.0 + eps * rng.standard_normal(x.shape)) if calls[0] == k else x

    speedglm.r_solve = solve
    try:
        return speedglm.speedglm_fit(rows, counts_r[None, :], split=split)[0].coef
    finally:
        speedglm.r_solve = exact_solve


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--case", default="big")
    ap.add_argument("--R", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--perturbed", type=int, default=4, help="replicates in the perturbation experiment")
    args = ap.parse_args()
    path = REFERENCE / args.case
    if not path.is_dir():
        print(f"{args.case}: reference data not found at {path}; skipped")
        return
    warnings.simplefilter("ignore")
    design = build_design(read_reference_panel(path), REFERENCE_FORMULA)
    rows = StackedRows.from_design(design)
    n_rows = int(rows.offsets[-1])
    names = list(design.names)
    point = fit_btergm(rows, names)
    mple = fit_mple(rows, names)
    counts = step_counts(draw_indices(rows.n_steps, args.R, np.random.default_rng(args.seed)), rows.n_steps)
    one = np.ones((1, rows.n_steps), dtype=np.int64)
    speedglm.speedglm_fit(rows, one, split=point.split)  # compile / warm caches before counting
    print(f"== {args.case}: {n_rows:,} rows x {len(names)} terms, R = {args.R}; {os.getloadavg()[0]:.2f} load")
    ident = point.identification
    if ident is not None and not ident.exists:
        print(f"   separated: {ident.reason[:150]}")

    exact, p_exact = passes(lambda: speedglm.speedglm_fit(rows, counts, split=point.split), n_rows, args.R)
    iters = [o.iterations for o in exact]
    exact = np.array([o.coef for o in exact])
    _, p_warm = passes(lambda: replicates_mple(rows, counts, mple.identification, start=mple.raw), n_rows, args.R)
    _, p_cold = passes(lambda: replicates_mple(rows, counts, mple.identification), n_rows, args.R)
    print("-- design passes per replicate")
    print(f"   btergm (exact speedglm path, {min(iters)}-{max(iters)} iterations): {p_exact:.2f}")
    print(f"   mple warm-started (the default): {p_warm:.2f}   -> btergm / mple = {p_exact / p_warm:.2f}")
    print(f"   mple from zero: {p_cold:.2f}   -> btergm / mple from zero = {p_exact / p_cold:.2f}")
    print(f"   a 1.3 ratio to warm-started mple needs {1.3 * p_warm:.2f} passes per btergm replicate")

    print("-- looser reuse of the overlap rows' statistics: passes and error against the exact path")
    for tol in (1e-4, 1e-3, 1e-2, 1e-1, 1.0):
        out, p = passes(
            lambda t=tol: speedglm.speedglm_fit(rows, counts, split=point.split, reuse_tol=t), n_rows, args.R
        )
        err = np.nanmax(np.abs(np.array([o.coef for o in out]) - exact))
        print(
            f"   reuse_tol {tol:g}: {p:.2f} passes per replicate (x{p / p_warm:.2f} mple); max |coef - exact| {err:.2e}"
        )

    print("-- one IRLS iterate perturbed by a relative 1e-7: max |coef - exact| over the replicates")
    rng = np.random.default_rng(args.seed)
    worst = []
    for k in range(1, max(iters)):
        moved = [
            np.nanmax(np.abs(perturbed_iterate(rows, counts[r], point.split, k, 1e-7, rng) - exact[r]))
            for r in range(min(args.perturbed, args.R))
        ]
        worst.append(max(moved))
    shown = ", ".join(f"{k}: {w:.1e}" for k, w in enumerate(worst, start=1))
    print(f"   by perturbed iteration: {shown}")
    print(f"   largest: {max(worst):.2e} (btergm parity tolerance 1e-6)")


if __name__ == "__main__":
    main()
