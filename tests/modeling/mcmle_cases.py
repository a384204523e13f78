"""Shared inputs of the MCMC-MLE tests: a dyad-independent panel and its exact logit MLE."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.panel.panel import Panel

DYAD_INDEPENDENT = 'nets ~ edges + edgecov(cov) + absdiff("x") + memory(type = "stability")'


def dyad_independent_panel(seed: int = 1, n: int = 30, years: int = 4) -> Panel:
    """A panel drawn dyad by dyad from edges + edgecov + absdiff + stability memory."""
    rng = np.random.default_rng(seed)
    labels = np.array([str(i) for i in range(n)])
    x = rng.normal(size=n)
    nets, covs = {}, {}
    prev = np.zeros((n, n), dtype=bool)
    for y in range(1, years + 1):
        c = rng.normal(size=(n, n))
        c = (c + c.T) / 2
        np.fill_diagonal(c, 0.0)
        logit = -1.2 + 0.8 * c - 0.5 * np.abs(x[:, None] - x[None, :]) + 0.7 * (2 * prev - 1)
        a = np.triu(rng.random((n, n)) < 1 / (1 + np.exp(-logit)), 1)
        a = a | a.T
        nets[y] = sp.csr_matrix(a.astype(float))
        covs[y] = c
        prev = a
    return Panel(
        years=list(range(1, years + 1)),
        nodes={y: labels for y in nets},
        networks={"nets": nets},
        dyad_covs={"cov": covs},
        node_attrs={"x": {y: x for y in nets}},
    )


def exact_logit(panel: Panel, formula: str) -> tuple[np.ndarray, np.ndarray]:
    """The exact MLE (converged MPLE) and its standard errors from the logit's Fisher information."""
    design = build_design(panel, formula, compress=True)
    fit = fit_tergm(design, estimator="mple", bootstrap=0)
    X, _, w = design.stacked()
    p = 1 / (1 + np.exp(-(X @ fit.estimates)))
    info = (X * (w * p * (1 - p))[:, None]).T @ X
    return fit.estimates, np.sqrt(np.diag(np.linalg.inv(info)))
