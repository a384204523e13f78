"""Time ``build_design`` on the btergm benchmark panel and on a larger random panel.

    python benchmarks/bench_design.py [--nodes 1000] [--years 31] [--repeat 3] [--skip-large]

1. ``../shared/reference/btergm/big`` (T = 31, 200 nodes, 597,000 rows; btergm: 5.4 s to build).
2. A random sparse panel (default 1,000 nodes x 31 years, accumulating ties, a continuous
   dyadic covariate so rows barely compress): time and peak memory (``resource.getrusage``).
Each case runs in a fresh process so peak memory belongs to that case alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIG = REPO.parent / "shared" / "reference" / "btergm" / "big"


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def random_panel(n: int, years: int, seed: int = 1):
    """Accumulating sparse ties (mean degree ~2 -> ~10), a node attribute and a dense dyadic covariate."""
    import numpy as np
    import scipy.sparse as sp

    from customsnet.modeling.panel.panel import Panel

    rng = np.random.default_rng(seed)
    labels = np.array([f"c{k:04d}" for k in range(n)])
    upper = sp.csr_matrix((n, n))
    nets, covs = {}, {}
    for y in range(1, years + 1):
        new = sp.random(n, n, density=(2.0 if y == 1 else 0.3) / n, random_state=rng, format="csr")
        upper = sp.triu(upper + new, 1).tocsr()
        upper.data[:] = 1.0
        nets[y] = (upper + upper.T).tocsr()
        c = rng.normal(size=(n, n))
        covs[y] = np.triu(c, 1) + np.triu(c, 1).T
    x = rng.normal(size=n)
    return Panel(
        years=list(range(1, years + 1)),
        nodes={y: labels for y in nets},
        networks={"nets": nets},
        dyad_covs={"cov": covs},
        node_attrs={"x": {y: x for y in nets}},
    )


def run_case(case: str, nodes: int, years: int, repeat: int) -> dict:
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    started = time.perf_counter()
    panel = read_reference_panel(BIG) if case == "big" else random_panel(nodes, years)
    load_s = time.perf_counter() - started
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        design = build_design(panel, REFERENCE_FORMULA)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    result = {
        "case": case,
        "nodes": len(panel.nodes[panel.years[-1]]),
        "years": len(panel.years),
        "dyads": design.n_dyads,
        "rows_compressed": design.meta["n_rows"],
        "load_s": round(load_s, 3),
        "build_compressed_s": [round(t, 3) for t in times],
        "build_compressed_cpu_s": [round(t, 3) for t in cpu],
        "load_average": round(os.getloadavg()[0], 1),
        "peak_rss_compressed_mb": round(peak_rss_mb(), 1),
    }
    del design
    started = time.perf_counter()
    build_design(panel, REFERENCE_FORMULA, compress=False)
    result["build_uncompressed_s"] = round(time.perf_counter() - started, 3)
    result["peak_rss_uncompressed_mb"] = round(peak_rss_mb(), 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--years", type=int, default=31)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--case", choices=["big", "random"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:  # child process: one case, JSON on stdout
        print(json.dumps(run_case(args.case, args.nodes, args.years, args.repeat)))
        return
    cases = ["big"] if BIG.is_dir() else []
    if not BIG.is_dir():
        print(f"skipping big/: {BIG} not found")
    if not args.skip_large:
        cases.append("random")
    for case in cases:
        repeat = args.repeat if case == "big" else 1
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--case",
                case,
                "--nodes",
                str(args.nodes),
                "--years",
                str(args.years),
                "--repeat",
                str(repeat),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(out.stdout)
        print(
            f"{result['case']}: {result['nodes']} nodes x {result['years']} years, {result['dyads']:,} dyads "
            f"({result['rows_compressed']:,} compressed rows)"
        )
        print(
            f"  build_design compressed: {', '.join(f'{t:.2f} s' for t in result['build_compressed_s'])} wall "
            f"({', '.join(f'{t:.2f} s' for t in result['build_compressed_cpu_s'])} CPU; "
            f"load average {result['load_average']}); "
            f"uncompressed: {result['build_uncompressed_s']:.2f} s; panel load {result['load_s']:.2f} s"
        )
        print(
            f"  peak RSS: {result['peak_rss_compressed_mb']:.0f} MB after the compressed builds, "
            f"{result['peak_rss_uncompressed_mb']:.0f} MB after the uncompressed one"
        )


if __name__ == "__main__":
    main()
