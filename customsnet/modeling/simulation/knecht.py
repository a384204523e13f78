"""Knecht-like friendship panels for btergm's documented example (Leifeld, Cranmer & Desmarais, JSS 2018).

The Knecht data (Dutch school class, 4 waves, 26 pupils) ships with R's ``xergm.common``, which is
not available here, so :func:`knecht_like_panel` generates data of the same shape with the
project's own sampler: a directed friendship network per wave, the pupils' ``sex`` (text, "F"/"M"),
a ``primary`` edge covariate (1 when two pupils went to the same primary school), and per-wave
node attributes ``idegsqrt`` / ``odegsqrt`` (square roots of in- and out-degree, as the JSS
example computes them from each wave).

Wave 1 is drawn from an ERGM with reciprocity, transitive ties, cyclic triples, sex homophily and primary school;
each later wave from a TERGM that adds stability memory and delayed reciprocity, started at the
previous wave. :data:`KNECHT_FORMULA` is the JSS model in btergm's syntax.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from customsnet.modeling.panel.panel import Panel

#: btergm's JSS model (section 5, model 2d without the duplicated nodeicov)
KNECHT_FORMULA = (
    "friendship ~ edges + mutual + ttriple + transitiveties + ctriple + nodeicov('idegsqrt') "
    "+ nodeicov('odegsqrt') + nodeocov('odegsqrt') + nodeofactor('sex') + nodeifactor('sex') "
    "+ nodematch('sex') + edgecov(primary) + delrecip + memory(type = 'stability')"
)

# transitiveties (bounded by the number of ties) gives clustering without ttriple's degeneracy
_FIRST_WAVE = (
    "friendship ~ edges + mutual + transitiveties + ctriple + nodematch('sex') + edgecov(primary)",
    {
        "edges": -3.4,
        "mutual": 2.0,
        "transitiveties": 0.9,
        "ctriple": -0.2,
        "nodematch.sex": 1.2,
        "edgecov.primary[[i]]": 0.8,
    },
)
_LATER_WAVES = (
    (
        "friendship ~ edges + mutual + transitiveties + ctriple + nodematch('sex') + edgecov(primary) "
        "+ delrecip + memory(type = 'stability')"
    ),
    {
        "edges": -2.6,
        "mutual": 1.0,
        "transitiveties": 0.5,
        "ctriple": -0.2,
        "nodematch.sex": 0.8,
        "edgecov.primary[[i]]": 0.5,
        "edgecov.delrecip[[i]]": 0.9,
        "edgecov.memory[[i]]": 1.2,
    },
)


def _degree_attributes(net: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    a = (net != 0).astype(np.float64)
    return np.sqrt(np.asarray(a.sum(axis=0)).ravel()), np.sqrt(np.asarray(a.sum(axis=1)).ravel())


def _panel(labels, nets, sex, primary) -> Panel:
    years = sorted(nets)
    indeg, outdeg = {}, {}
    for y in years:
        indeg[y], outdeg[y] = _degree_attributes(nets[y])
    return Panel(
        years=years,
        nodes={y: labels for y in years},
        networks={"friendship": nets},
        dyad_covs={"primary": {y: primary for y in years}},
        node_attrs={"sex": {y: sex for y in years}, "idegsqrt": indeg, "odegsqrt": outdeg},
        directed=True,
        meta={"generator": "customsnet.modeling.simulation.knecht.knecht_like_panel"},
    )


def knecht_like_panel(seed: int = 0, n: int = 25, waves: int = 4, n_schools: int = 5, sweeps: int = 30) -> Panel:
    """A directed 4-wave friendship panel shaped like btergm's Knecht example (see module doc).

    ``sweeps`` is the burn-in of each wave's chain in sweeps over all ``n (n - 1)`` dyads.
    """
    from customsnet.modeling.simulation.simulate import simulate, simulation_inputs

    rng = np.random.default_rng(seed)
    labels = np.array([f"pupil{k + 1:02d}" for k in range(n)])
    sex = np.where(rng.permutation(n) < n // 2, "M", "F").astype(object)
    school = rng.integers(0, n_schools, size=n)
    primary = (school[:, None] == school[None, :]).astype(np.float64)
    np.fill_diagonal(primary, 0.0)
    burnin = sweeps * n * (n - 1)
    nets = {1: sp.csr_matrix((n, n))}
    for wave in range(1, waves + 1):
        formula, coefs = _FIRST_WAVE if wave == 1 else _LATER_WAVES
        if wave > 1:
            nets[wave] = nets[wave - 1]  # placeholder: only the lagged network is read for this wave
        ym = simulation_inputs(coefs, _panel(labels, nets, sex, primary), formula=formula, year=wave)
        start = nets[1] if wave == 1 else ym.previous
        res = simulate(ym.model, start, nsim=1, seed=int(rng.integers(2**31)), burnin=burnin, interval=1)
        nets[wave] = sp.csr_matrix(res.networks[0])
    return _panel(labels, nets, sex, primary)
