"""Simulate the SYNTHETIC demo CMAA network forward in time with the TERGM sampler.

Given a panel that already holds the covariates (exported from the graph after the other demo
sources were loaded, so the simulation uses exactly the covariates the estimator will see), each
year's network is drawn from the ERGM of that year conditional on the previous year's network,
with known coefficients modelled on the study's Model 3. Ties never dissolve, as in the real CMAA
data: the ``memory`` (stability) coefficient is set so that previously tied dyads have log-odds
+``PERSIST`` (practically certain), while new ties form with log-odds ``formation_intercept`` +
the other terms. The formation intercept is calibrated (bisection) so the network grows from
about ``ties_first`` ties in the first modeled year to about ``ties_last`` in the last.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.simulation.simulate import simulate, simulation_inputs

PERSIST = 25.0  # log-odds of keeping a tie: exp(-25) ~ 1e-11, i.e. ties never dissolve


@dataclass
class CmaaTruth:
    """The generating model: a btergm formula (with memory) and the coefficients of its other terms."""

    terms: str  # right-hand side without edges and memory, e.g. "gwesp(0.5, fixed=TRUE) + edgecov(mlat)"
    coefs: dict[str, float]  # btergm coefficient names of those terms
    formation_intercept: float = -7.0  # log-odds of a new tie when every other statistic is 0 (calibrated)
    extra: dict = field(default_factory=dict)

    @property
    def formula(self) -> str:
        return f"cmaa ~ edges + {self.terms} + memory(type='stability')"

    def btergm_coefs(self) -> dict[str, float]:
        """Coefficients of :attr:`formula`: edges ± memory give the formation and persistence log-odds."""
        memory = (PERSIST - self.formation_intercept) / 2.0
        edges = (PERSIST + self.formation_intercept) / 2.0
        return {"edges": edges, **self.coefs, "edgecov.memory[[i]]": memory}

    def formation_coefs(self) -> dict[str, float]:
        """The same truth as the formation model sees it: edges = btergm's edges − memory."""
        return {"edges": self.formation_intercept, **self.coefs}


def _with_network(panel: Panel, name: str, nets: dict[int, sp.csr_matrix]) -> Panel:
    networks = dict(panel.networks)
    networks[name] = nets
    return Panel(
        years=panel.years,
        nodes=panel.nodes,
        networks=networks,
        dyad_covs=panel.dyad_covs,
        node_attrs=panel.node_attrs,
        directed=panel.directed,
        missing=panel.missing,
        meta=panel.meta,
    )


def _place(network: sp.csr_matrix, labels_from: np.ndarray, labels_to: np.ndarray) -> sp.csr_matrix:
    """Re-index a network on ``labels_from`` onto ``labels_to`` (ties of absent labels are dropped)."""
    index = {lab: k for k, lab in enumerate(labels_to)}
    target = np.array([index.get(lab, -1) for lab in labels_from], dtype=np.int64)
    coo = sp.triu(network, 1).tocoo()
    r, c = target[coo.row], target[coo.col]
    keep = (r >= 0) & (c >= 0)
    n = len(labels_to)
    m = sp.coo_matrix((np.ones(int(keep.sum())), (r[keep], c[keep])), shape=(n, n)).tocsr()
    m = m + m.T
    m.data[:] = 1.0
    return m.tocsr()


def initial_network(
    panel: Panel, truth: CmaaTruth, year: int, n_ties: int, rng: np.random.Generator, missing: str = "error"
) -> sp.csr_matrix:
    """The first year's network: ``n_ties`` pairs drawn without replacement with weights exp(covariate log-odds)."""
    labels = panel.nodes[year]
    n = len(labels)
    empty = {y: sp.csr_matrix((len(panel.nodes[y]), len(panel.nodes[y]))) for y in panel.years}
    base = _with_network(panel, "cmaa", empty)
    # Covariate part only: the dependence terms vanish on an empty network's change statistics anyway.
    ym = simulation_inputs(
        {"edges": 0.0, **truth.coefs}, base, formula=f"cmaa ~ edges + {truth.terms}", year=year, missing=missing
    )
    iu, ju = np.triu_indices(len(ym.nodes), 1)
    w = np.exp(ym.model.dyad_logodds[iu, ju] - ym.model.dyad_logodds[iu, ju].max())
    pick = rng.choice(len(iu), size=min(n_ties, len(iu)), replace=False, p=w / w.sum())
    m = sp.coo_matrix((np.ones(len(pick)), (iu[pick], ju[pick])), shape=(len(ym.nodes),) * 2).tocsr()
    return _place((m + m.T).tocsr(), ym.nodes, labels) if n else m


def simulate_forward(
    panel: Panel, truth: CmaaTruth, first_tie_count: int, seed: int, sweeps: float = 3.0, missing: str = "error"
) -> dict[int, sp.csr_matrix]:
    """Networks for every panel year: the first drawn by :func:`initial_network`, the rest by MCMC.

    Each year's chain starts at the previous year's network and runs ``sweeps`` × (number of
    dyads) TNT proposals, then one network is kept. ``missing`` is the design's missing-value
    policy, so the simulation sees the covariates exactly as the fits will.
    """
    rng = np.random.default_rng(seed)
    years = panel.years
    nets: dict[int, sp.csr_matrix] = {}
    nets[years[0]] = initial_network(panel, truth, years[0], first_tie_count, rng, missing)
    coefs = truth.btergm_coefs()
    for k in range(1, len(years)):
        y, prev = years[k], years[k - 1]
        carried = _place(nets[prev], panel.nodes[prev], panel.nodes[y])
        current = {**{yy: nets[yy] for yy in years[:k]}, y: carried}
        # later years are not read by simulation_inputs for year y; give them empty placeholders
        for yy in years[k + 1 :]:
            current[yy] = sp.csr_matrix((len(panel.nodes[yy]), len(panel.nodes[yy])))
        ym = simulation_inputs(
            coefs, _with_network(panel, "cmaa", current), formula=truth.formula, year=y, missing=missing
        )
        n = len(ym.nodes)
        n_dyads = n * (n - 1) // 2
        res = simulate(
            ym.model,
            ym.previous,
            nsim=1,
            seed=int(rng.integers(2**31)),
            burnin=int(sweeps * n_dyads),
            interval=1,
            keep_networks=True,
        )
        nets[y] = _place(res.networks[0], ym.nodes, panel.nodes[y])
        # entrants of year y cannot tie in their first year (btergm's composition rule drops them),
        # so their ties start the year after; ties of the carried network are kept by construction.
        nets[y] = ((nets[y] + carried) > 0).astype(np.float64).tocsr()
    return nets


def tie_counts(nets: dict[int, sp.csr_matrix]) -> dict[int, int]:
    return {y: int(sp.triu(m, 1).nnz) for y, m in nets.items()}


def calibrate_intercept(
    panel: Panel,
    truth: CmaaTruth,
    first_tie_count: int,
    target_last: int,
    seed: int,
    lo: float = -12.0,
    hi: float = -2.0,
    iterations: int = 9,
    missing: str = "error",
) -> tuple[float, dict[int, sp.csr_matrix]]:
    """Bisection on the formation intercept so the last year has about ``target_last`` ties."""
    best = None
    for _ in range(iterations):
        mid = (lo + hi) / 2
        truth.formation_intercept = mid
        nets = simulate_forward(panel, truth, first_tie_count, seed, missing=missing)
        last = tie_counts(nets)[panel.years[-1]]
        best = (mid, nets, last)
        if abs(last - target_last) <= 0.03 * target_last:
            break
        if last > target_last:
            hi = mid
        else:
            lo = mid
    assert best is not None
    truth.formation_intercept = best[0]
    return best[0], best[1]


def pairs_from_networks(nets: dict[int, sp.csr_matrix], nodes: dict[int, np.ndarray]) -> pd.DataFrame:
    """The agreement list: each pair with the first year its tie is in place (a < b)."""
    first: dict[tuple[str, str], int] = {}
    for y in sorted(nets):
        coo = sp.triu(nets[y], 1).tocoo()
        lab = nodes[y]
        for i, j in zip(coo.row, coo.col):
            key = tuple(sorted((str(lab[i]), str(lab[j]))))
            first.setdefault(key, y)
    return pd.DataFrame(
        [(a, b, y) for (a, b), y in sorted(first.items(), key=lambda kv: (kv[1], kv[0]))],
        columns=["a", "b", "year_signed"],
    )
