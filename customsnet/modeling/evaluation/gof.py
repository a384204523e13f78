"""Goodness of fit: simulate networks from a fitted TERGM and compare structural statistics.

For each modeled year the fitted model (:func:`~customsnet.modeling.simulation.simulate.simulation_inputs`) is
simulated ``nsim`` times (:class:`~customsnet.modeling.simulation.settings.SimulationSettings`) and four
distributions are compared with the observed network: degree, edgewise shared partners (ESP), dyadwise
shared partners (DSP) and geodesic distances.

Directed panels get btergm's directed statistics (:data:`DIRECTED_STATISTICS`): in-degree and
out-degree (``ideg``/``odeg``), ESP and DSP as ergm's ``esp(d)``/``dsp(d)`` with their default
``type = "OTP"`` (shared partners h of i→j are two-paths i→h→j; DSP over all n(n−1) ordered
pairs), and geodesics along directed paths over ordered pairs. ``degree`` on a directed panel is
btergm's ``deg``: neighbours in either direction. The triad census (``"triad"``, btergm's
``triad.directed``/``triad.undirected``) is available on request.

Two counting conventions:

* customsnet (default): an undirected network is counted once per unordered pair / edge.
* ``btergm_compatible=True``: btergm evaluates ESP, DSP and geodesics on the network as a
  *directed* symmetric graph, so every pair and edge is counted twice (spec §7.2); degree is the
  undirected degree in both. The summary table then follows btergm's ``reduce.matrix`` exactly,
  including its trimming quirk (the last kept category is always replaced by a zero row) and its
  p-values (z over the category means for one target; Welch t-tests for several).

The customsnet tables trim only all-zero trailing categories and give Monte-Carlo p-values as
ergm's ``gof``: min(1, 2·min(P(sim ≤ obs), P(sim ≥ obs))), with several targets pooled by summing
each simulation draw over the years.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats as sps
from scipy.sparse.csgraph import shortest_path

from customsnet.modeling.evaluation.rocpr import (
    RocPr,
    rocpr_from_simulations,
    simulation_scores,
    standard_metrics,
)
from customsnet.modeling.parallel import Progress, map_tasks
from customsnet.modeling.simulation.settings import SimulationSettings
from customsnet.modeling.simulation.simulate import model_formula, simulate, simulation_inputs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STATISTICS = ("degree", "esp", "dsp", "geodesic")
#: the default for directed panels: btergm's directed statistics (ideg/odeg, OTP ESP/DSP, directed geodesics)
DIRECTED_STATISTICS = ("idegree", "odegree", "esp", "dsp", "geodesic")
#: btergm's own defaults (``dsp, esp, deg, ideg, geodesic``) on a directed network, for ``btergm_compatible``
BTERGM_DIRECTED_STATISTICS = ("degree", "idegree", "esp", "dsp", "geodesic")
#: statistics computed on request only (btergm's ``triad.directed`` / ``triad.undirected``)
OPTIONAL_STATISTICS = ("triad",)
#: statistics defined for directed networks only (ergm's idegree/odegree)
DIRECTED_ONLY = ("idegree", "odegree")
KNOWN_STATISTICS = STATISTICS + DIRECTED_ONLY + OPTIONAL_STATISTICS
LABELS = {
    "degree": "Degree",
    "idegree": "Indegree",
    "odegree": "Outdegree",
    "esp": "Edge-wise shared partners",
    "dsp": "Dyad-wise shared partners",
    "geodesic": "Geodesic distances",
    "triad": "Triad census",
}
#: triad types in the order of sna's ``triad.census`` (Holland & Leinhardt's MAN labels)
DIRECTED_TRIADS = (
    "003",
    "012",
    "102",
    "021D",
    "021U",
    "021C",
    "111D",
    "111U",
    "030T",
    "030C",
    "201",
    "120D",
    "120U",
    "120C",
    "210",
    "300",
)
#: undirected triads by their number of edges, as sna's ``triad.census(mode = "graph")``
UNDIRECTED_TRIADS = ("0", "1", "2", "3")


def gof_statistics(statistics: tuple[str, ...], directed: bool, btergm_compatible: bool = False) -> tuple[str, ...]:
    """The statistics a GOF run computes: the default :data:`STATISTICS` become
    :data:`DIRECTED_STATISTICS` on a directed panel (:data:`BTERGM_DIRECTED_STATISTICS`, btergm's
    own default list, when ``btergm_compatible``); unknown names and in/out-degree on an undirected
    panel are refused."""
    statistics = tuple(statistics)
    if directed and statistics == STATISTICS:
        return BTERGM_DIRECTED_STATISTICS if btergm_compatible else DIRECTED_STATISTICS
    for name in statistics:
        if name not in KNOWN_STATISTICS:
            raise ValueError(f"unknown GOF statistic {name!r} (choose from {KNOWN_STATISTICS})")
        if name in DIRECTED_ONLY and not directed:
            raise ValueError(f"GOF statistic {name!r} needs a directed panel (use 'degree' on an undirected one)")
    return statistics


# --------------------------------------------------------------------------- statistics
def _binary(a) -> sp.csr_matrix:
    m = sp.csr_matrix(a, dtype=np.float64, copy=True)
    m.setdiag(0)
    m.eliminate_zeros()
    m.data[:] = 1.0
    return m


def _either_direction(m: sp.csr_matrix) -> sp.csr_matrix:
    """The undirected graph of a digraph: i–j tied if i→j or j→i (network's ``directed = FALSE``)."""
    both = (m + m.T).tocsr()
    both.data[:] = 1.0
    return both


def degree_distribution(a) -> np.ndarray:
    """Number of nodes with degree k, k = 0..n−1 (undirected degree).

    A directed network is read as btergm's ``deg`` reads it (``network(mat, directed = FALSE)``):
    a node's degree is its number of neighbours in either direction.
    """
    m = _either_direction(_binary(a))
    n = m.shape[0]
    return np.bincount(np.asarray(m.sum(axis=1)).ravel().astype(np.int64), minlength=n)[:n].astype(np.float64)


def indegree_distribution(a) -> np.ndarray:
    """Number of nodes with in-degree k, k = 0..n−1 (btergm's ``ideg``; row i → column j is a tie i→j)."""
    m = _binary(a)
    n = m.shape[0]
    return np.bincount(np.asarray(m.sum(axis=0)).ravel().astype(np.int64), minlength=n)[:n].astype(np.float64)


def outdegree_distribution(a) -> np.ndarray:
    """Number of nodes with out-degree k, k = 0..n−1 (btergm's ``odeg``)."""
    m = _binary(a)
    n = m.shape[0]
    return np.bincount(np.asarray(m.sum(axis=1)).ravel().astype(np.int64), minlength=n)[:n].astype(np.float64)


def esp_distribution(a, ordered: bool = False, directed: bool = False) -> np.ndarray:
    """Number of edges with k shared partners, k = 0..n−2 (each edge twice when ``ordered``).

    ``directed``: ergm's ``esp(d)`` with its default ``type = "OTP"``: ties i→j with exactly k
    nodes h such that i→h→j (``ordered`` changes nothing: every tie is counted once).
    """
    m = _binary(a)
    n = m.shape[0]
    size = max(n - 1, 1)
    ties = (m if directed else sp.triu(m, k=1)).tocoo()
    shared = (m @ m).tocsr()
    counts = np.asarray(shared[ties.row, ties.col]).ravel().astype(np.int64) if ties.nnz else np.zeros(0, np.int64)
    out = np.bincount(counts, minlength=size)[:size].astype(np.float64)
    return 2 * out if ordered and not directed else out


def dsp_distribution(a, ordered: bool = False, directed: bool = False) -> np.ndarray:
    """Number of node pairs (tied or not) with k shared partners, k = 0..n−2 (ordered pairs when ``ordered``).

    ``directed``: ergm's ``dsp(d, type = "OTP")``: ordered pairs i≠j with exactly k two-paths
    i→h→j, all n(n−1) of them.
    """
    m = _binary(a)
    n = m.shape[0]
    size = max(n - 1, 1)
    shared = (m @ m).toarray()
    pairs = np.nonzero(~np.eye(n, dtype=bool)) if directed else np.triu_indices(n, k=1)
    out = np.bincount(shared[pairs].astype(np.int64), minlength=size)[:size].astype(np.float64)
    return 2 * out if ordered and not directed else out


def geodesic_distribution(a, ordered: bool = False, directed: bool = False) -> np.ndarray:
    """Pairs at geodesic distance 1..n−1, then the unreachable pairs (``Inf``), as in ergm.geodistdist.

    ``directed``: lengths of directed paths i→…→j over all ordered pairs i≠j (ergm.geodistdist of
    a directed network).
    """
    m = _binary(a)
    n = m.shape[0]
    dist = shortest_path(m, method="D", directed=directed, unweighted=True)
    pairs = np.nonzero(~np.eye(n, dtype=bool)) if directed else np.triu_indices(n, k=1)
    d = dist[pairs]
    finite = d[np.isfinite(d)].astype(np.int64)
    out = np.r_[np.bincount(finite, minlength=n)[1:n], np.count_nonzero(~np.isfinite(d))].astype(np.float64)
    return 2 * out if ordered and not directed else out


def _triad_code_table() -> np.ndarray:
    """Triad type (index into :data:`DIRECTED_TRIADS`) of each of the 64 arc patterns of (a, b, c).

    Bit order of a pattern: a→b, b→a, a→c, c→a, b→c, c→b. The type is read off the dyad census
    (Mutual, Asymmetric, Null) and, where MAN leaves a choice, the orientation of the arcs.
    """
    table = np.empty(64, dtype=np.int64)
    for code in range(64):
        arc = {(u, v) for bit, (u, v) in enumerate([(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)]) if code >> bit & 1}
        mutual = [(u, v) for u, v in [(0, 1), (0, 2), (1, 2)] if (u, v) in arc and (v, u) in arc]
        asym = [(u, v) for u, v in arc if (v, u) not in arc]
        man = f"{len(mutual)}{len(asym)}{3 - len(mutual) - len(asym)}"
        outdeg = [sum((u, v) in asym for v in range(3)) for u in range(3)]
        indeg = [sum((v, u) in asym for v in range(3)) for u in range(3)]
        if man == "021":
            # D: one node sends both asymmetric arcs; U: one receives both; C: a chain
            man += "D" if 2 in outdeg else "U" if 2 in indeg else "C"
        elif man == "111":
            # D: the asymmetric arc points into the mutual dyad (a<->b<-c); U: out of it (a<->b->c)
            man += "D" if asym[0][1] in mutual[0] else "U"
        elif man == "030":
            man += "T" if 2 in outdeg else "C"  # transitive (someone sends two) or a cycle
        elif man == "120":
            # the node outside the mutual dyad: sends both (D), receives both (U), or one each (C)
            third = ({0, 1, 2} - set(mutual[0])).pop()
            man += "D" if outdeg[third] == 2 else "U" if indeg[third] == 2 else "C"
        table[code] = DIRECTED_TRIADS.index(man)
    return table


def triad_census(a, directed: bool = False) -> np.ndarray:
    """btergm's ``triad.directed`` / ``triad.undirected`` (sna's ``triad.census``): the number of
    node triples of each type, in :data:`DIRECTED_TRIADS` order, or by edge count 0..3 if undirected."""
    m = _binary(a).toarray().astype(np.int64)
    n = m.shape[0]
    if not directed:
        m = np.maximum(m, m.T)
    out = np.zeros(len(DIRECTED_TRIADS) if directed else 4)
    table = _triad_code_table()
    for a_ in range(n - 2):  # one node at a time keeps memory at O(n²)
        b, c = np.triu_indices(n, k=1)
        keep = b > a_
        b, c = b[keep], c[keep]
        if directed:
            code = m[a_, b] | m[b, a_] << 1 | m[a_, c] << 2 | m[c, a_] << 3 | m[b, c] << 4 | m[c, b] << 5
            out += np.bincount(table[code], minlength=len(DIRECTED_TRIADS))
        else:
            out += np.bincount(m[a_, b] + m[a_, c] + m[b, c], minlength=4)
    return out


def category_labels(statistic: str, length: int, directed: bool = False) -> list[str]:
    if statistic == "geodesic":
        return [str(k) for k in range(1, length)] + ["Inf"]
    if statistic == "triad":
        return list(DIRECTED_TRIADS if directed else UNDIRECTED_TRIADS)
    return [str(k) for k in range(length)]


def network_distribution(statistic: str, a, ordered: bool = False, directed: bool = False) -> np.ndarray:
    """One GOF statistic of one network (see :data:`STATISTICS` and :data:`DIRECTED_STATISTICS`).

    ``directed``: ``a`` is a digraph (row i, column j is the tie i→j) and ESP, DSP and geodesics
    are ergm's directed versions; ``ordered`` (btergm's double counting of undirected pairs) then
    changes nothing.
    """
    if statistic == "degree":
        return degree_distribution(a)
    if statistic in DIRECTED_ONLY and not directed:
        raise ValueError(f"GOF statistic {statistic!r} needs a directed network")
    if statistic == "idegree":
        return indegree_distribution(a)
    if statistic == "odegree":
        return outdegree_distribution(a)
    if statistic == "esp":
        return esp_distribution(a, ordered, directed)
    if statistic == "dsp":
        return dsp_distribution(a, ordered, directed)
    if statistic == "geodesic":
        return geodesic_distribution(a, ordered, directed)
    if statistic == "triad":
        return triad_census(a, directed)
    raise ValueError(f"unknown GOF statistic {statistic!r} (choose from {KNOWN_STATISTICS})")


def _pad(vectors: list[np.ndarray], geodesic: bool) -> np.ndarray:
    """Stack distributions of different lengths (composition change) into categories × columns."""
    length = max(len(v) for v in vectors)
    out = np.zeros((length, len(vectors)))
    for k, v in enumerate(vectors):
        if geodesic:  # keep Inf as the last category
            out[: len(v) - 1, k] = v[:-1]
            out[-1, k] = v[-1]
        else:
            out[: len(v), k] = v
    return out


# --------------------------------------------------------------------------- summary tables
def reduce_btergm(sim: np.ndarray, obs: np.ndarray, labels: list[str], geodesic: bool) -> pd.DataFrame:
    """btergm's ``reduce.matrix``: trim trailing empty categories (with its quirks) and summarise.

    ``sim`` is categories × simulations, ``obs`` categories × targets. The first row of the trailing
    run of empty categories (or the last category if none is empty) is kept as a row of zeros.
    """
    sim = np.asarray(sim, dtype=np.float64)
    obs = np.asarray(obs, dtype=np.float64)
    if geodesic:
        inf_sim, inf_obs = sim[-1], obs[-1]
        sim, obs = sim[:-1], obs[:-1]
        labels = labels[:-1]

    def first_of_trailing_empty(rowsums: np.ndarray) -> int:
        remove = len(rowsums)  # 1-based, as R: the last row is always a candidate
        for i in range(len(rowsums) - 1, 0, -1):
            if rowsums[i - 1] == 0 and remove == i + 1:
                remove = i
        return remove

    rem = max(first_of_trailing_empty(sim.sum(axis=1)), first_of_trailing_empty(obs.sum(axis=1)))
    sim = np.vstack([sim[: rem - 1], np.zeros((1, sim.shape[1]))])
    obs = np.vstack([obs[: rem - 1], np.zeros((1, obs.shape[1]))])
    labels = labels[:rem]
    if geodesic:
        sim = np.vstack([sim, inf_sim])
        obs = np.vstack([obs, inf_obs])
        labels = labels + ["Inf"]
    mean, median = sim.mean(axis=1), np.median(sim, axis=1)
    lo, hi = sim.min(axis=1), sim.max(axis=1)
    if obs.shape[1] == 1 or sim.shape[1] == 1:
        z = (mean - obs[:, 0]) / np.std(mean, ddof=1)  # sd over categories: btergm's oddity
        p = 2 * sps.norm.sf(np.abs(z))
        table = pd.DataFrame({"obs": obs[:, 0], "sim: mean": mean, "median": median, "min": lo, "max": hi, "Pr(>z)": p})
    else:
        p = np.empty(len(sim))
        for k in range(len(sim)):
            p[k] = _welch_p(obs[k], sim[k])
        table = pd.DataFrame(
            [
                obs.mean(axis=1),
                np.median(obs, axis=1),
                obs.min(axis=1),
                obs.max(axis=1),
                mean,
                median,
                lo,
                hi,
                p,
            ],
            index=["obs: mean", "obs: median", "obs: min", "obs: max", "sim: mean", "median", "min", "max", "Pr(>z)"],
        ).T
    table.index = labels
    return table


def _welch_p(a: np.ndarray, b: np.ndarray) -> float:
    """R's ``t.test(a, b)$p.value``; NaN → 1; constant data (R errors) → NaN."""
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return math.nan  # R: "data are essentially constant" — btergm leaves NA
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # near-constant rows: R just returns the number
        p = sps.ttest_ind(a, b, equal_var=False).pvalue
    return 1.0 if np.isnan(p) else float(p)


def summarize(sim: np.ndarray, obs: np.ndarray, labels: list[str], nsim: int, trim: bool = True) -> pd.DataFrame:
    """customsnet's table: obs, simulated mean/median/min/max and ergm-style Monte-Carlo p-values.

    ``sim`` holds ``nsim`` columns per target, target-major. With several targets each simulation
    draw is summed over targets and compared with the summed observation. ``trim=False`` keeps
    every category (nominal ones such as the triad census).
    """
    n_targets = obs.shape[1]
    pooled_sim = sim.reshape(sim.shape[0], n_targets, nsim).sum(axis=1)
    pooled_obs = obs.sum(axis=1)
    keep = (pooled_sim.sum(axis=1) > 0) | (pooled_obs > 0)
    if labels[-1] == "Inf":  # trim the finite distances only (Inf is kept below in any case)
        keep[-1] = False
    last = np.flatnonzero(keep).max() + 1 if keep.any() else 1
    if not trim:
        idx = np.arange(len(labels))
    elif labels[-1] == "Inf":  # never trim the unreachable pairs away
        idx = np.r_[np.arange(min(last, len(labels) - 1)), len(labels) - 1]
    else:
        idx = np.arange(last)
    s, o = pooled_sim[idx], pooled_obs[idx]
    p = np.minimum(1.0, 2 * np.minimum((s <= o[:, None]).mean(axis=1), (s >= o[:, None]).mean(axis=1)))
    return pd.DataFrame(
        {
            "obs": o,
            "sim: mean": s.mean(axis=1),
            "median": np.median(s, axis=1),
            "min": s.min(axis=1),
            "max": s.max(axis=1),
            "MC p-value": p,
        },
        index=[labels[k] for k in idx],
    )


# --------------------------------------------------------------------------- the GOF run
@dataclass
class GofResult:
    """Tables per statistic, the raw distributions, tie prediction and the settings used."""

    years: list[int]
    nsim: int
    tables: dict[str, pd.DataFrame]
    raw_sim: dict[str, np.ndarray]  # categories × (targets·nsim), target-major
    raw_obs: dict[str, np.ndarray]  # categories × targets
    labels: dict[str, list[str]]
    btergm_compatible: bool
    tie_prediction: RocPr | None = None
    standard_metrics: dict[str, float] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    def summary(self) -> str:
        """All tables as text, each under its label."""
        parts = []
        for name, table in self.tables.items():
            parts.append(f"{LABELS[name]}\n{table.to_string(float_format=lambda v: f'{v:.4g}')}")
        if self.tie_prediction is not None:
            s = self.tie_prediction.summary()
            parts.append("Tie prediction\n" + "  ".join(f"{k} {v:.4f}" for k, v in s.items() if v is not None))
        return "\n\n".join(parts)

    def plot(self, path: str | Path) -> list[Path]:
        """Boxplots of the simulated distributions with the observed values (:func:`plot_gof`)."""
        return plot_gof(self, path)


def _year_chain(
    ym, settings: SimulationSettings, seed: int, statistics: tuple[str, ...], ordered: bool, directed: bool
):
    """One year's chain (a task of :func:`gof`): the simulated networks and the GOF statistics of
    them and of the observed target.

    A task carries only its year's model (``simulation_inputs``: a few hundred kB, not the whole
    panel), and computes the statistics itself: on networks of a few hundred nodes they cost
    several times the chain (geodesics above all), and computed in the caller they would leave
    the workers idle for most of the run.
    """
    first = ym.observed if settings.start == "observed" else ym.previous
    res = simulate(ym.model, first, nsim=settings.nsim, seed=seed, burnin=settings.burnin, interval=settings.interval)
    simulated = {name: [network_distribution(name, m, ordered, directed) for m in res.networks] for name in statistics}
    observed = {name: network_distribution(name, ym.observed, ordered, directed) for name in statistics}
    return res.networks, simulated, observed


def gof(
    fit,
    panel,
    *,
    formula=None,
    years: list[int] | None = None,
    settings: SimulationSettings | None = None,
    statistics: tuple[str, ...] = STATISTICS,
    btergm_compatible: bool = False,
    tie_prediction: bool = True,
    rgraph_seed: int | None = None,
    missing: str = "error",
    progress: Progress | None = None,
) -> GofResult:
    """Simulate ``settings.nsim`` networks per year from the fitted model and compare them with the observed ones.

    ``fit`` is a fit result or its coefficients (then ``formula=`` is needed; it defaults to the
    fit's own). ``settings`` (:class:`~customsnet.modeling.simulation.settings.SimulationSettings`,
    default ``SimulationSettings()``) fixes nsim, the chain lengths (default btergm's 10,000 /
    1,000 proposals), the seed and the start: ``"observed"`` (default) starts each chain at the
    year's own network (btergm); ``"previous"`` at the year t−1 network (no information from
    the target year). ``years`` defaults to every modeled year of the formula. The per-year
    chains get independent seeds spawned from ``settings.seed`` and run on ``settings.n_jobs``
    processes or ``settings.scheduler`` with the same result. ``missing`` is the design's
    missing-value policy for the years' covariates. ``progress`` (``start(description, total) ->
    advance(n)``) counts the finished years. On a directed panel the default ``statistics`` are
    :data:`DIRECTED_STATISTICS` (btergm's list with ``btergm_compatible``, :func:`gof_statistics`)
    and tie prediction scores every cell of the adjacency matrix, as btergm's ``rocpr`` does for
    directed networks.
    """
    formula = model_formula(fit, formula, "gof")
    settings = (settings or SimulationSettings()).with_defaults(burnin=10_000, interval=1_000, start="observed")
    statistics = gof_statistics(statistics, panel.directed, btergm_compatible)
    if years is None:
        years = panel.years[formula.max_lag :]
    seeds = np.random.SeedSequence(settings.seed).generate_state(len(years))
    coefs = getattr(fit, "params", fit)
    t0 = time.perf_counter()
    inputs = [simulation_inputs(coefs, panel, formula=formula, year=year, missing=missing) for year in years]
    for year, ym in zip(years, inputs):
        if settings.start != "observed" and ym.previous is None:
            raise ValueError(f"year {year} has no previous year to start the chain from")
    chains = map_tasks(
        _year_chain,
        [(ym, settings, int(s), statistics, btergm_compatible, panel.directed) for ym, s in zip(inputs, seeds)],
        n_jobs=settings.n_jobs,
        scheduler=settings.scheduler,
        progress=progress,
        description=f"gof: {settings.nsim} networks per year",
    )
    simulated = [chain[0] for chain in chains]
    targets = [ym.observed for ym in inputs]
    del inputs  # the year models (covariates of every year) are not needed for the summaries
    t_sim = time.perf_counter() - t0
    tables, raw_sim, raw_obs, labels = {}, {}, {}, {}
    for name in statistics:
        geo, nominal = name == "geodesic", name == "triad"
        # btergm (ordered=True in the tasks): ESP/DSP/geodesic on the symmetric digraph (ordered
        # pairs); degree is undirected anyway
        sims = [d for chain in chains for d in chain[1][name]]
        obs = [chain[2][name] for chain in chains]
        both = _pad(sims + obs, geo)
        s, o = both[:, : len(sims)], both[:, len(sims) :]
        lab = category_labels(name, both.shape[0], panel.directed)
        raw_sim[name], raw_obs[name], labels[name] = s, o, lab
        tables[name] = (
            reduce_btergm(s, o, lab, geo)
            if btergm_compatible
            else summarize(s, o, lab, settings.nsim, trim=not nominal)
        )
    prediction, metrics = None, {}
    if tie_prediction:
        prediction = rocpr_from_simulations(simulated, targets, panel.directed, rgraph_seed=rgraph_seed)
        scores, truth = simulation_scores(simulated, targets, panel.directed)
        metrics = standard_metrics(scores, truth)
    record = {
        "formula": str(formula),
        **settings.record(),
        "rgraph_seed": rgraph_seed,
        "missing": missing,
        "simulation_seconds": t_sim,  # the chains and their GOF statistics (computed in the tasks)
        "total_seconds": time.perf_counter() - t0,
    }
    return GofResult(
        years=list(years),
        nsim=settings.nsim,
        tables=tables,
        raw_sim=raw_sim,
        raw_obs=raw_obs,
        labels=labels,
        btergm_compatible=btergm_compatible,
        tie_prediction=prediction,
        standard_metrics=metrics,
        settings=record,
    )


# --------------------------------------------------------------------------- figure
#: what one count of each statistic is a count of (the plot shows shares of these)
UNITS = {
    "degree": "nodes",
    "idegree": "nodes",
    "odegree": "nodes",
    "esp": "edges",
    "dsp": "pairs",
    "geodesic": "pairs",
    "triad": "triads",
}
#: at most this many categories on a panel's axis; the rest are pooled into a "≥k" bin
MAX_CATEGORIES = 15


def plot_categories(
    result: GofResult, name: str, max_categories: int = MAX_CATEGORIES
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The categories a GOF panel shows, with per-draw simulated shares and the observed share.

    Shares are of the year's nodes/edges/pairs, averaged over the evaluated years, so years and
    models are comparable. Categories run up to the last one with observed or simulated mass
    (at most ``max_categories``; longer tails are pooled into a ``≥k`` bin). For geodesics the
    unreachable pairs (``Inf``) get their own bin labelled "unreachable", so the finite distances
    keep a readable axis. Every bin's shares are kept: the columns still sum to 1.
    """
    sim = result.raw_sim[name]
    obs = result.raw_obs[name]
    n_targets = obs.shape[1]
    draws = sim.reshape(sim.shape[0], n_targets, -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sim_share = np.nan_to_num(draws / draws.sum(axis=0, keepdims=True)).mean(axis=1)  # categories × nsim
        obs_share = np.nan_to_num(obs / obs.sum(axis=0, keepdims=True)).mean(axis=1)
    labels = list(result.labels[name])
    if name == "triad":  # nominal categories: every type shown, none pooled
        return labels, sim_share, obs_share
    geodesic = name == "geodesic"
    finite = slice(0, len(labels) - 1) if geodesic else slice(0, len(labels))
    fs, fo = sim_share[finite], obs_share[finite]
    mass = (fo > 0) | (fs.mean(axis=1) > 1e-3)
    last = int(np.flatnonzero(mass).max()) + 1 if mass.any() else 1
    cut = min(last, max_categories)
    out_labels = labels[finite][:cut]
    out_sim, out_obs = fs[:cut], fo[:cut]
    if fs[cut:].any() or fo[cut:].any():  # pool the tail (nothing is dropped: shares still sum to 1)
        out_labels = out_labels[:-1] + [f"≥{out_labels[-1]}"]
        out_sim = np.vstack([out_sim[:-1], fs[cut - 1 :].sum(axis=0)])
        out_obs = np.r_[out_obs[:-1], fo[cut - 1 :].sum()]
    if geodesic:
        out_labels = out_labels + ["unreachable"]
        out_sim = np.vstack([out_sim, sim_share[-1]])
        out_obs = np.r_[out_obs, obs_share[-1]]
    return out_labels, out_sim, out_obs


def gof_figure(results: GofResult | dict[str, GofResult]) -> Figure:
    """The study's Figure A1: one panel per statistic, simulated shares (boxes, one colour per model)
    and the observed share (black line). Several models are drawn side by side in each panel."""
    from customsnet.modeling.evaluation.plots import (
        DOUBLE_COLUMN,
        model_colors,
        new_figure,
        outside_legend,
        publication_style,
    )

    if isinstance(results, GofResult):
        results = {"model": results}
    models = list(results)
    colors = model_colors(models)
    first = results[models[0]]
    names = list(first.tables)
    ncols = 2 if len(names) > 1 else 1
    nrows = math.ceil(len(names) / ncols)
    with publication_style():
        fig = new_figure(DOUBLE_COLUMN, 0.6 + 2.2 * nrows)
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        width = 0.8 / len(models)
        handles = []
        for ax, name in zip(axes, names):
            labels, obs = None, None
            for k, model in enumerate(models):
                labels, sim, obs = plot_categories(results[model], name)
                pos = np.arange(len(labels)) + (k - (len(models) - 1) / 2) * width
                color = colors[model]
                box = ax.boxplot(
                    sim.T,
                    positions=pos,
                    widths=width * 0.85,
                    showfliers=False,
                    patch_artist=True,
                    manage_ticks=False,
                    boxprops={"facecolor": color, "alpha": 0.45, "edgecolor": color, "lw": 0.6},
                    medianprops={"color": color, "lw": 1.0},
                    whiskerprops={"color": color, "lw": 0.6},
                    capprops={"color": color, "lw": 0.6},
                )
                if ax is axes[0]:
                    handles.append((box["boxes"][0], f"simulated: {model}" if len(models) > 1 else "simulated"))
            x, style = np.arange(len(labels)), {"color": "black", "marker": "o", "ms": 2.5}
            if name == "geodesic" and len(labels) > 1:
                # "unreachable" is not a distance: no line runs into it, a dotted rule sets it apart
                (line,) = ax.plot(x[:-1], obs[:-1], lw=1.0, label="observed", **style)
                ax.plot(x[-1:], obs[-1:], lw=0, **style)
                ax.axvline(len(labels) - 1.5, color="0.75", lw=0.6, ls=":")
            else:
                (line,) = ax.plot(x, obs, lw=1.0, label="observed", **style)
            if ax is axes[0]:
                handles.insert(0, (line, "observed"))
            step = 1 if name == "triad" else max(1, math.ceil(len(labels) / 10))
            ticks = list(range(0, len(labels), step))
            if name == "geodesic" and ticks[-1] != len(labels) - 1:
                ticks.append(len(labels) - 1)  # always label the unreachable bin
            texts = [labels[t] for t in ticks]
            if name == "geodesic":  # a short tick for the unreachable bin, so it never runs into "≥k"
                texts[-1] = "∞"
                ax.set_xlabel("distance (∞: unreachable)")
            ax.set_xticks(ticks, texts, rotation=90 if name == "triad" else 0)
            ax.set_xlim(-0.6, len(labels) - 0.4)
            ax.set_title(LABELS[name])
            ax.set_ylabel(f"share of {UNITS[name]}")
        outside_legend(fig, [h for h, _ in handles], [lab for _, lab in handles])
    return fig


def plot_gof(results: GofResult | dict[str, GofResult], path: str | Path) -> list[Path]:
    """:func:`gof_figure` written to ``path`` (format by extension; PNG + PDF without one)."""
    from customsnet.modeling.evaluation.plots import save_figure

    return save_figure(gof_figure(results), path)
