"""A small directed panel (random digraphs with persistence) shared by the directed GOF and prediction tests."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from customsnet.modeling.panel.panel import Panel


def random_digraph(n: int, p: float, seed: int) -> np.ndarray:
    a = (np.random.default_rng(seed).random((n, n)) < p).astype(float)
    np.fill_diagonal(a, 0)
    return a


def small_directed_panel(n: int = 9, years: int = 3, seed: int = 0) -> Panel:
    rng = np.random.default_rng(seed)
    labels = np.array([f"v{k}" for k in range(n)])
    nets = {1: random_digraph(n, 0.2, seed)}
    for y in range(2, years + 1):  # each year keeps most ties of the last one
        keep = rng.random((n, n)) < 0.8
        nets[y] = np.where(keep, nets[y - 1], random_digraph(n, 0.2, seed + y))
    primary = (rng.random((n, n)) < 0.3).astype(float)
    np.fill_diagonal(primary, 0)
    return Panel(
        years=list(range(1, years + 1)),
        nodes={y: labels for y in nets},
        networks={"friendship": {y: sp.csr_matrix(m) for y, m in nets.items()}},
        dyad_covs={"primary": {y: primary for y in nets}},
        node_attrs={"x": {y: rng.normal(size=n) for y in nets}},
        directed=True,
    )


FORMULA = "friendship ~ edges + mutual + edgecov(primary) + memory(type = 'stability')"
COEFS = [-2.0, 1.0, 0.5, 1.0]  # mutual: the sampler's specialised directed kernel (cheap to compile)
