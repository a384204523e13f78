"""Proposals per second of the generic TNT kernel against the specialised one (one 230-node year).

    python benchmarks/bench_generic_sampler.py [--nodes 230] [--ties 800] [--steps 200000]

Models on a random undirected start network with ~``ties`` ties:

* ``fast``: edges + gwesp(0.5) + gwdegree(0.1) in the specialised incremental kernel;
* ``generic-gw``: the same terms through the generic kernel (each term's per-dyad function);
* ``generic-triads``: edges + triangle + kstar(2) + gwdsp(0.5) (only the generic kernel can).

The first run of each kernel compiles it (timed separately); the generic kernel is compiled once
per combination of terms and process.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sp

from customsnet.modeling.simulation.simulate import (
    ErgmModel,
    SamplerTerm,
    chain_state,
    sampler_model,
)
from customsnet.modeling.terms import (
    GWDSP,
    GWESP,
    GWDegree,
    KStar,
    StepInputs,
    Triangle,
)


def start_network(n: int, ties: int, seed: int) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    p = ties / (n * (n - 1) / 2)
    upper = np.triu(rng.random((n, n)) < p, 1)
    return sp.csr_matrix((upper | upper.T).astype(float))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=230)
    parser.add_argument("--ties", type=int, default=800)
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    n = args.nodes
    start = start_network(n, args.ties, args.seed)
    logodds = np.full((n, n), -5.0)
    step = StepInputs(year=1, nodes=np.arange(n).astype(str), network=start)
    gw = [(GWESP(0.5), np.array([0.3])), (GWDegree(0.1), np.array([-0.2]))]
    models = {
        "fast": sampler_model(logodds, False, step, gw),
        "generic-gw": ErgmModel(logodds, generic=tuple(SamplerTerm.of(t, step, c) for t, c in gw)),
        "generic-triads": sampler_model(
            logodds,
            False,
            step,
            [(Triangle(), np.array([0.2])), (KStar(2), np.array([-0.01])), (GWDSP(0.5), np.array([-0.05]))],
        ),
    }
    for name, model in models.items():
        rng = np.random.default_rng(args.seed)
        state = chain_state(start, model)
        t0 = time.perf_counter()
        state.run(100, rng)
        compile_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        state.run(args.steps, rng)
        run_s = time.perf_counter() - t0
        print(f"{name:15s} compile+100 steps {compile_s:6.2f} s   {args.steps / run_s:12,.0f} proposals/s")


if __name__ == "__main__":
    main()
