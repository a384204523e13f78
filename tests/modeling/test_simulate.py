"""TNT sampler: long-run means against exact expectations (closed form and brute-force enumeration)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from customsnet.modeling.simulation.simulate import (
    DIRECTED_STAT_NAMES,
    STAT_NAMES,
    ChainState,
    DirectedChainState,
    ErgmModel,
    SimulationError,
    network_statistics,
    simulate,
    simulation_inputs,
    tnt_log_q_ratio,
)

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "btergm"


def symmetric_normal(n: int, seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, n))
    x = (x + x.T) / 2
    np.fill_diagonal(x, 0.0)
    return x


def random_graph(n: int, p: float, seed: int) -> sp.csr_matrix:
    upper = np.triu(np.random.default_rng(seed).random((n, n)) < p, 1)
    return sp.csr_matrix((upper | upper.T).astype(float))


# ----------------------------------------------------------------- exact statistics, own definitions
def exact_stats_all_graphs(n: int, model: ErgmModel) -> tuple[np.ndarray, np.ndarray]:
    """Every graph on n nodes: statistics (edges, GWESP, GWD, Σ y L) and their exact ERGM probabilities."""
    iu = np.triu_indices(n, 1)
    d = len(iu[0])
    bits = ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(float)
    adj = np.zeros((2**d, n, n))
    adj[:, iu[0], iu[1]] = bits
    adj += adj.transpose(0, 2, 1)
    degree = adj.sum(axis=2)
    shared = adj @ adj
    r_esp = 1 - math.exp(-model.gwesp_decay)
    r_deg = 1 - math.exp(-model.gwdegree_decay)
    # GWESP = Σ_edges e^α (1 − r^sp): each undirected edge appears twice in adj
    gwesp = (math.exp(model.gwesp_decay) * (1 - r_esp**shared) * adj).sum(axis=(1, 2)) / 2
    gwd = (math.exp(model.gwdegree_decay) * (1 - r_deg**degree)).sum(axis=1)
    stats = np.column_stack([bits.sum(axis=1), gwesp, gwd, bits @ model.dyad_logodds[iu]])
    eta = stats[:, 3] + model.gwesp_coef * gwesp + model.gwdegree_coef * gwd
    prob = np.exp(eta - eta.max())
    return stats, prob / prob.sum()


def test_own_statistics_match_design_terms():
    from customsnet.modeling.terms import GWESP, GWDegree, StepInputs

    for seed, decay in [(1, 0.5), (2, 0.1), (3, 0.0), (4, 1.0)]:
        a = random_graph(25, 0.2, seed)
        model = ErgmModel(np.zeros((25, 25)), 1.0, decay, 1.0, decay)
        ours = network_statistics(a, model)
        step = StepInputs(year=1, nodes=np.arange(25).astype(str), network=a)
        assert ours["gwesp"] == pytest.approx(GWESP(decay).statistic(step)[0], rel=1e-12)
        assert ours["gwdegree"] == pytest.approx(GWDegree(decay).statistic(step)[0], rel=1e-12)
        assert ours["edges"] == a.nnz / 2


# ----------------------------------------------------------------- proposal and bookkeeping
def test_tnt_ratio_boundaries():
    d = 10
    # detailed balance of the proposal alone: q(y→y')·ratio(y→y') == q(y'→y) for a toggle and its reverse
    for m in range(5):
        add = tnt_log_q_ratio(m, d, True)
        remove = tnt_log_q_ratio(m + 1, d, False)
        assert add == pytest.approx(-remove, abs=1e-15)
    assert math.exp(tnt_log_q_ratio(0, d, True)) == pytest.approx((d + 1) / 2)  # from the empty graph
    assert math.exp(tnt_log_q_ratio(3, d, True)) == pytest.approx(1 + d / 4)


def test_incremental_state_matches_recount():
    n = 30
    model = ErgmModel(-2.0 + 0.5 * symmetric_normal(n, 7), 0.4, 0.5, -0.3, 0.1)
    state = ChainState(random_graph(n, 0.1, 3), model)
    rng = np.random.default_rng(0)
    for _ in range(5):
        state.run(3000, rng)
        a = state.network()
        dense = a.toarray().astype(np.int64)
        np.testing.assert_array_equal(state.adj, dense)
        np.testing.assert_array_equal(state.deg, dense.sum(axis=1))
        off = ~np.eye(n, dtype=bool)  # the diagonal of the shared-partner matrix is never read
        np.testing.assert_array_equal(state.sp_count[off], (dense @ dense)[off])
        assert state.n_edges == dense.sum() // 2
        for v in range(n):
            assert sorted(state.nbr[v, : state.deg[v]]) == list(np.flatnonzero(dense[v]))
        expected = network_statistics(a, model)
        np.testing.assert_allclose(state.running, [expected[k] for k in STAT_NAMES], atol=1e-9)


def test_seed_fixes_the_chain():
    model = ErgmModel(np.full((12, 12), -1.0), 0.3, 0.5, 0.0, 0.0)
    start = sp.csr_matrix((12, 12))
    a = simulate(model, start, nsim=5, seed=4, burnin=200, interval=50)
    b = simulate(model, start, nsim=5, seed=4, burnin=200, interval=50)
    c = simulate(model, start, nsim=5, seed=5, burnin=200, interval=50)
    assert all((x != y).nnz == 0 for x, y in zip(a.networks, b.networks))
    assert not a.stats.equals(c.stats)


def test_start_network_is_validated():
    model = ErgmModel(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="symmetric"):
        simulate(model, sp.csr_matrix(np.triu(np.ones((4, 4)), 1)), nsim=1, seed=0)
    with pytest.raises(ValueError, match="shape"):
        simulate(model, sp.csr_matrix((5, 5)), nsim=1, seed=0)
    forbid = np.zeros((4, 4))
    forbid[0, 1] = forbid[1, 0] = -np.inf
    with pytest.raises(ValueError, match="forbids"):
        simulate(ErgmModel(forbid), sp.csr_matrix(np.ones((4, 4)) - np.eye(4)), nsim=1, seed=0)


def test_forbidden_dyads_stay_empty():
    forbid = np.full((8, 8), 1.0)
    forbid[0, :] = forbid[:, 0] = -np.inf
    res = simulate(ErgmModel(forbid), sp.csr_matrix((8, 8)), nsim=100, seed=1, burnin=500, interval=20)
    assert all(m[0].nnz == 0 for m in res.networks)
    # the other 21 dyads are independent with log-odds 1: E[edges] = 21 · logistic(1) ≈ 15.35, sd ≈ 2.03
    res = simulate(
        ErgmModel(forbid), sp.csr_matrix((8, 8)), nsim=5000, seed=1, burnin=500, interval=20, keep_networks=False
    )
    assert abs(res.stats["edges"].mean() - 21 / (1 + math.exp(-1))) < 5 * 2 * 2.03 / math.sqrt(5000)


# ----------------------------------------------------------------- distributional tests
def test_dyad_independent_means_match_logistic_expectation():
    # edges + edgecov(X): ties are independent Bernoulli(logistic(−1.5 + 0.8 x_ij)).
    n = 30
    x = symmetric_normal(n, 11)
    model = ErgmModel(-1.5 + 0.8 * x)
    iu = np.triu_indices(n, 1)
    p = 1 / (1 + np.exp(-model.dyad_logodds[iu]))
    exp_edges, exp_cov = p.sum(), (p * x[iu]).sum()
    sd_edges, sd_cov = np.sqrt((p * (1 - p)).sum()), np.sqrt((p * (1 - p) * x[iu] ** 2).sum())
    nsim = 3000
    res = simulate(model, sp.csr_matrix((n, n)), nsim=nsim, seed=2024, burnin=5000, interval=500)
    cov_stat = np.array([sp.triu(m, 1).multiply(x).sum() for m in res.networks])
    # 500 proposals ≈ 1.15 sweeps leave mild autocorrelation: allow se inflation 2 and 5 se
    tol = 5 * 2 / np.sqrt(nsim)
    assert abs(res.stats["edges"].mean() - exp_edges) < tol * sd_edges
    assert abs(cov_stat.mean() - exp_cov) < tol * sd_cov
    # the kernel's running Σ y L is the same linear statistic
    np.testing.assert_allclose(res.stats["dyad_logodds"], -1.5 * res.stats["edges"] + 0.8 * cov_stat, atol=1e-9)


def test_gw_model_means_match_brute_force_enumeration():
    # n = 6: all 2^15 graphs enumerated; edges + edgecov + gwesp + gwdegree
    n = 6
    model = ErgmModel(
        -0.8 + 0.5 * symmetric_normal(n, 1), gwesp_coef=0.4, gwesp_decay=0.5, gwdegree_coef=-0.6, gwdegree_decay=0.1
    )
    stats, prob = exact_stats_all_graphs(n, model)
    mean = prob @ stats
    sd = np.sqrt(prob @ (stats - mean) ** 2)
    nsim = 20000
    res = simulate(model, sp.csr_matrix((n, n)), nsim=nsim, seed=99, burnin=1000, interval=30, keep_networks=False)
    # batch means showed an se ≈ 1.45 × the iid se at interval 30; allow 2 × iid and 5 se
    tol = 5 * 2 * sd / np.sqrt(nsim)
    np.testing.assert_array_less(np.abs(res.stats[list(STAT_NAMES)].mean().to_numpy() - mean), tol)


def test_sparse_model_visits_empty_graph_with_exact_frequency():
    # n = 4, strongly negative edges: the chain often sits at 0 or 1 edges, where TNT's proposal
    # asymmetry differs; the distribution of the edge count must still be exact.
    n = 4
    model = ErgmModel(np.full((n, n), -2.0), gwesp_coef=0.5, gwesp_decay=0.5, gwdegree_coef=0.3, gwdegree_decay=0.2)
    stats, prob = exact_stats_all_graphs(n, model)
    exact = np.bincount(stats[:, 0].astype(int), weights=prob, minlength=7)
    nsim = 20000
    res = simulate(model, sp.csr_matrix((n, n)), nsim=nsim, seed=3, burnin=200, interval=12, keep_networks=False)
    freq = np.bincount(res.stats["edges"].astype(int), minlength=7) / nsim
    tol = 5 * 2 * np.sqrt(exact * (1 - exact) / nsim) + 1e-3
    np.testing.assert_array_less(np.abs(freq - exact), tol)
    assert exact[0] > 0.2 and exact[1] > 0.2  # the boundary really is visited


# ----------------------------------------------------------------- glue from a formula and a panel
def test_simulation_inputs_reproduce_design_log_odds():
    case = REF / "case1"
    if not case.is_dir():
        pytest.skip(f"reference data not found at {case}")
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    panel = read_reference_panel(case)
    design = build_design(panel, REFERENCE_FORMULA, compress=False)
    theta = np.array([-1.0, 0.35, -0.15, 0.53, -0.5, 2.0])
    step = design.steps[-1]
    ym = simulation_inputs(dict(zip(design.names, theta)), panel, formula=REFERENCE_FORMULA, year=step.year)
    assert (ym.observed != panel.network("nets", step.year)).nnz == 0
    assert (ym.previous != panel.network("nets", step.year - 1)).nnz == 0
    # L holds the dyad-independent part; add the gw parts from the design columns
    gw = [design.names.index("gwesp.fixed.0.5"), design.names.index("gwdeg.fixed.0.1")]
    eta = ym.model.dyad_logodds[step.tail, step.head] + step.X[:, gw] @ theta[gw]
    np.testing.assert_allclose(eta, step.X @ theta, atol=1e-12)
    assert (ym.model.gwesp_coef, ym.model.gwesp_decay) == (0.35, 0.5)
    assert (ym.model.gwdegree_coef, ym.model.gwdegree_decay) == (-0.15, 0.1)
    with pytest.raises(SimulationError, match="no coefficient"):
        simulation_inputs({"edges": 1.0}, panel, formula=REFERENCE_FORMULA, year=step.year)
    not_identified = dict(zip(design.names, theta))
    not_identified["edges"] = float("nan")
    with pytest.raises(SimulationError, match="not identified"):
        simulation_inputs(not_identified, panel, formula=REFERENCE_FORMULA, year=step.year)
    with pytest.raises(SimulationError, match="predecessor"):
        simulation_inputs(theta, panel, formula=REFERENCE_FORMULA, year=panel.years[0])


# ----------------------------------------------------------------- directed networks
DIRECTED = {
    "gwesp_coef": 0.4,
    "gwesp_decay": 0.5,
    "gwidegree_coef": -0.5,
    "gwidegree_decay": 0.3,
    "gwodegree_coef": 0.3,
    "gwodegree_decay": 0.7,
    "mutual_coef": 0.8,
}


def random_digraph(n: int, p: float, seed: int) -> sp.csr_matrix:
    a = np.random.default_rng(seed).random((n, n)) < p
    np.fill_diagonal(a, False)
    return sp.csr_matrix(a.astype(float))


def exact_directed(n: int, model: ErgmModel) -> tuple[np.ndarray, np.ndarray]:
    """All digraphs on n nodes: (arcs, GWESP-OTP, GWID, GWOD, mutual, Σ y L) and exact probabilities."""
    off = np.nonzero(~np.eye(n, dtype=bool))
    d = len(off[0])
    bits = ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(float)
    adj = np.zeros((2**d, n, n))
    adj[:, off[0], off[1]] = bits
    two_paths = adj @ adj
    r = 1 - math.exp(-model.gwesp_decay)
    gwesp = (math.exp(model.gwesp_decay) * (1 - r**two_paths) * adj).sum(axis=(1, 2))
    r_in, r_out = 1 - math.exp(-model.gwidegree_decay), 1 - math.exp(-model.gwodegree_decay)
    gwid = (math.exp(model.gwidegree_decay) * (1 - r_in ** adj.sum(axis=1))).sum(axis=1)
    gwod = (math.exp(model.gwodegree_decay) * (1 - r_out ** adj.sum(axis=2))).sum(axis=1)
    mutual = (adj * adj.transpose(0, 2, 1)).sum(axis=(1, 2)) / 2
    stats = np.column_stack([bits.sum(axis=1), gwesp, gwid, gwod, mutual, bits @ model.dyad_logodds[off]])
    eta = (
        stats[:, 5]
        + model.gwesp_coef * gwesp
        + model.gwidegree_coef * gwid
        + model.gwodegree_coef * gwod
        + model.mutual_coef * mutual
    )
    prob = np.exp(eta - eta.max())
    return stats, prob / prob.sum()


def test_directed_statistics_match_design_terms():
    from customsnet.modeling.terms import (
        GWESP,
        GWIDegree,
        GWODegree,
        Mutual,
        StepInputs,
    )

    a = random_digraph(20, 0.15, 8)
    model = ErgmModel(np.zeros((20, 20)), directed=True, **DIRECTED)
    ours = network_statistics(a, model)
    step = StepInputs(year=1, nodes=np.arange(20).astype(str), network=a, directed=True)
    assert ours["gwesp"] == pytest.approx(GWESP(0.5).statistic(step)[0], rel=1e-12)
    assert ours["gwidegree"] == pytest.approx(GWIDegree(0.3).statistic(step)[0], rel=1e-12)
    assert ours["gwodegree"] == pytest.approx(GWODegree(0.7).statistic(step)[0], rel=1e-12)
    assert ours["mutual"] == Mutual().statistic(step)[0]
    assert ours["edges"] == a.nnz


def test_directed_incremental_state_matches_recount():
    n = 20
    logodds = -2.0 + 0.5 * np.random.default_rng(4).normal(size=(n, n))
    model = ErgmModel(logodds, directed=True, **DIRECTED)
    state = DirectedChainState(random_digraph(n, 0.1, 5), model)
    rng = np.random.default_rng(1)
    off = ~np.eye(n, dtype=bool)
    for _ in range(4):
        state.run(3000, rng)
        a = state.network()
        dense = a.toarray().astype(np.int64)
        np.testing.assert_array_equal(state.adj, dense)
        np.testing.assert_array_equal(state.outdeg, dense.sum(axis=1))
        np.testing.assert_array_equal(state.indeg, dense.sum(axis=0))
        np.testing.assert_array_equal(state.l2[off], (dense @ dense)[off])
        for v in range(n):
            assert sorted(state.out_nbr[v, : state.outdeg[v]]) == list(np.flatnonzero(dense[v]))
            assert sorted(state.in_nbr[v, : state.indeg[v]]) == list(np.flatnonzero(dense[:, v]))
        expected = network_statistics(a, model)
        np.testing.assert_allclose(state.running, [expected[k] for k in model.stat_names], atol=1e-9)


def test_directed_model_means_match_brute_force_enumeration():
    # n = 4 directed: all 2^12 digraphs; arcs + edgecov + OTP gwesp + gwidegree + gwodegree + mutual
    n = 4
    logodds = -1.0 + 0.6 * np.random.default_rng(2).normal(size=(n, n))
    np.fill_diagonal(logodds, 0.0)
    model = ErgmModel(logodds, directed=True, **DIRECTED)
    stats, prob = exact_directed(n, model)
    mean = prob @ stats
    sd = np.sqrt(prob @ (stats - mean) ** 2)
    nsim = 20000
    res = simulate(model, sp.csr_matrix((n, n)), nsim=nsim, seed=7, burnin=500, interval=30, keep_networks=False)
    assert list(res.stats.columns) == list(DIRECTED_STAT_NAMES)
    tol = 5 * 2 * sd / np.sqrt(nsim)
    np.testing.assert_array_less(np.abs(res.stats.to_numpy().mean(axis=0) - mean), tol)


def test_directed_simulation_inputs_reproduce_design_log_odds():
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.panel.panel import Panel

    rng = np.random.default_rng(3)
    n, years = 15, [1, 2, 3]
    labels = np.array([f"v{k}" for k in range(n)])
    nets = {y: random_digraph(n, 0.15, 10 + y) for y in years}
    covs = {y: rng.normal(size=(n, n)) for y in years}  # asymmetric on purpose
    panel = Panel(
        years=years, nodes={y: labels for y in years}, networks={"nets": nets}, dyad_covs={"cov": covs}, directed=True
    )
    formula = (
        "nets ~ edges + mutual + gwesp(0.5, fixed = TRUE) + gwidegree(0.3, fixed = TRUE) "
        "+ gwodegree(0.7, fixed = TRUE) + edgecov(cov) + memory()"
    )
    design = build_design(panel, formula, compress=False, check=False)
    theta = np.array([-2.0, 0.8, 0.4, -0.5, 0.3, 0.6, 1.1])
    ym = simulation_inputs(theta, panel, formula=formula, year=3)
    assert ym.model.directed and ym.model.mutual_coef == 0.8 and ym.model.gwodegree_decay == 0.7
    step = design.steps[-1]
    dependent = [1, 2, 3, 4]  # mutual and the three gw terms
    eta = ym.model.dyad_logodds[step.tail, step.head] + step.X[:, dependent] @ theta[dependent]
    np.testing.assert_allclose(eta, step.X @ theta, atol=1e-12)
    res = simulate(ym.model, ym.previous, nsim=3, seed=1, burnin=500, interval=100)
    assert (res.networks[0] != res.networks[0].T).nnz > 0  # genuinely directed draws


# ----------------------------------------------------------------- generic kernel: any dependent term
def _generic_families():
    from customsnet.modeling import terms as T
    from customsnet.modeling.terms import triads

    return {
        "triads-undirected": (
            False,
            [T.Triangle(), T.TransitiveTies(), T.CyclicalTies(), T.TwoPath()],
            [0.4, -0.3, 0.2, -0.15],
        ),
        "triads-directed": (
            True,
            [
                T.TTriple(),
                T.CTriple(),
                T.TransitiveTies(),
                T.CyclicalTies(),
                T.TwoPath(),
                T.Triangle(),
                triads.Intransitive(),
            ],
            [0.3, -0.4, 0.2, 0.25, -0.1, 0.1, -0.2],
        ),
        "degree-undirected": (
            False,
            [T.KStar((2, 3)), T.Degree((0, 1)), T.Isolates(), T.Concurrent()],
            [0.2, -0.1, 0.3, -0.2, 0.25, -0.3],
        ),
        "degree-directed": (
            True,
            [T.IStar(2), T.OStar((2,)), T.IDegree((0, 1)), T.ODegree((1,)), T.Isolates(), T.Mutual()],
            [0.2, -0.15, 0.3, -0.2, 0.25, -0.3, 0.6],
        ),
        "shared-partners-undirected": (
            False,
            [T.ESP((0, 1)), T.DSP((1,)), T.GWDSP(0.5), T.GWNSP(0.3), T.GWESP(0.5), T.GWDegree(0.2)],
            [0.2, -0.3, 0.25, -0.2, 0.15, 0.3, -0.4],
        ),
        "shared-partners-directed": (
            True,
            [
                T.GWESP(0.5, type="ITP"),
                T.GWDSP(0.5, type="OSP"),
                T.ESP((1,), type="RTP"),
                T.NSP((1,), type="ISP"),
                T.GWNSP(0.4, type="OTP"),
                T.GWESP(0.3),
                T.GWIDegree(0.3),
            ],
            [0.3, -0.2, 0.4, -0.25, 0.2, -0.3, 0.2],
        ),
    }


def _family_model(name):
    from customsnet.modeling.simulation.simulate import sampler_model
    from customsnet.modeling.terms import StepInputs

    directed, terms, coefs = _generic_families()[name]
    n = 4 if directed else 5
    logodds = -0.5 + 0.5 * np.random.default_rng(len(name)).normal(size=(n, n))
    if not directed:
        logodds = np.triu(logodds, 1) + np.triu(logodds, 1).T
    np.fill_diagonal(logodds, 0.0)
    step = StepInputs(year=1, nodes=np.arange(n).astype(str), network=sp.csr_matrix((n, n)), directed=directed)
    pairs, k = [], 0
    for term in terms:
        pairs.append((term, np.asarray(coefs[k : k + term.n_stats])))
        k += term.n_stats
    assert k == len(coefs)
    return sampler_model(logodds, directed, step, pairs), step, pairs


def _exact_generic(model, step, pairs):
    """Every graph on the model's nodes: the sampler's statistics and their exact ERGM probabilities."""
    n = model.n
    if model.directed:
        rows, cols = np.nonzero(~np.eye(n, dtype=bool))
    else:
        rows, cols = np.triu_indices(n, 1)
    d = len(rows)
    bits = ((np.arange(2**d)[:, None] >> np.arange(d)) & 1).astype(float)
    stats = []
    for b in bits:
        a = np.zeros((n, n))
        a[rows, cols] = b
        if not model.directed:
            a = a + a.T
        at = step.with_network(a)
        stats.append(
            np.concatenate([[b.sum()], *[t.statistic(at) for t, _ in pairs], [b @ model.dyad_logodds[rows, cols]]])
        )
    stats = np.array(stats)
    theta = np.concatenate([[0.0], *[c for _, c in pairs], [1.0]])
    eta = stats @ theta
    prob = np.exp(eta - eta.max())
    return stats, prob / prob.sum()


@pytest.mark.slow
@pytest.mark.parametrize("family", sorted(_generic_families()))
def test_generic_sampler_means_match_exact_enumeration(family):
    model, step, pairs = _family_model(family)
    assert model.generic and len(model.stat_names) == 2 + sum(t.n_stats for t, _ in pairs)
    stats, prob = _exact_generic(model, step, pairs)
    mean = prob @ stats
    sd = np.sqrt(prob @ (stats - mean) ** 2)
    nsim = 20000
    res = simulate(
        model,
        sp.csr_matrix((model.n, model.n)),
        nsim=nsim,
        seed=17,
        burnin=1000,
        interval=30,
        keep_networks=False,
    )
    tol = 5 * 2 * sd / np.sqrt(nsim) + 1e-9
    np.testing.assert_array_less(np.abs(res.stats.to_numpy().mean(axis=0) - mean), tol)


@pytest.mark.parametrize("family", ["triads-directed", "shared-partners-undirected"])
def test_generic_running_statistics_match_recount(family):
    from customsnet.modeling.simulation.simulate import GenericChainState

    model, _, _ = _family_model(family)
    n = model.n
    state = GenericChainState(sp.csr_matrix((n, n)), model)
    rng = np.random.default_rng(5)
    for _ in range(5):
        state.run(200, rng)
        expected = network_statistics(state.network(), model)
        np.testing.assert_allclose(state.running, [expected[k] for k in model.stat_names], atol=1e-9)
        dense = state.adj.astype(float)
        assert (sp.csr_matrix(dense) != state.network()).nnz == 0


def test_simulation_inputs_run_any_formula_and_predict_with_every_term():
    """A formula with dependent terms the specialised kernels do not know: the sampler runs it, and the
    conditional log-odds (prediction) equal the design's rows X θ, dependent terms included."""
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.panel.panel import Panel

    rng = np.random.default_rng(8)
    n, years = 12, [1, 2, 3]
    labels = np.array([f"v{k}" for k in range(n)])
    nets = {y: random_digraph(n, 0.2, 30 + y) for y in years}
    panel = Panel(
        years=years,
        nodes={y: labels for y in years},
        networks={"nets": nets},
        dyad_covs={"cov": {y: rng.normal(size=(n, n)) for y in years}},
        directed=True,
    )
    formula = (
        "nets ~ edges + mutual + ttriple + transitiveties + ctriple + istar(2) + gwesp(0.5, fixed = TRUE) "
        "+ edgecov(cov) + memory()"
    )
    design = build_design(panel, formula, compress=False, check=False)
    theta = np.array([-2.0, 0.8, 0.2, -0.3, 0.1, -0.05, 0.3, 0.5, 1.0])
    ym = simulation_inputs(theta, panel, formula=formula, year=3)
    assert ym.model.generic  # ttriple etc. need the generic kernel
    step = design.steps[-1]
    np.testing.assert_allclose(ym.conditional_logodds(ym.observed, step.tail, step.head), step.X @ theta, atol=1e-12)
    res = simulate(ym.model, ym.previous, nsim=3, seed=1, burnin=300, interval=50)
    assert res.stats.columns[0] == "edges" and len(res.networks) == 3


@pytest.mark.slow
def test_gof_and_prediction_run_for_a_formula_only_the_generic_kernel_handles():
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.estimation.fit import fit_tergm
    from customsnet.modeling.evaluation.gof import gof
    from customsnet.modeling.evaluation.predict import conditional_probabilities, predict_honest
    from customsnet.modeling.panel.panel import Panel
    from customsnet.modeling.simulation.settings import SimulationSettings

    n, years = 16, [1, 2, 3, 4]
    labels = np.array([f"v{k}" for k in range(n)])
    nets, a = {}, random_graph(n, 0.15, 50)
    rng = np.random.default_rng(51)
    for y in years:  # persistent ties with some turnover, so memory is not separating
        flip = np.triu(rng.random((n, n)) < 0.05, 1)
        dense = np.triu(a.toarray(), 1).astype(bool) ^ flip
        a = sp.csr_matrix((dense | dense.T).astype(float))
        nets[y] = a
    panel = Panel(years=years, nodes={y: labels for y in years}, networks={"nets": nets})
    formula = "nets ~ edges + triangle + kstar(2) + gwdsp(0.5, fixed = TRUE) + memory()"
    fit = fit_tergm(build_design(panel, formula), estimator="mple", bootstrap=0)
    ym = simulation_inputs(fit, panel, formula=formula, year=4)
    assert ym.model.generic
    p = conditional_probabilities(ym)
    assert p.shape == (n * (n - 1) // 2,) and np.all((p > 0) & (p < 1))
    result = gof(fit, panel, formula=formula, years=[4], settings=SimulationSettings(nsim=5, burnin=2000, interval=200))
    assert result.nsim == 5
    pred = predict_honest(fit, panel, year=4, method="simulate", settings=SimulationSettings(nsim=5), sweeps=2)
    assert pred.mode == "honest:simulate" and 0 <= pred.btergm_all.auc_roc <= 1


def test_prediction_reads_timecov_at_the_calendar_position():
    """The predicted year's timecov value is its position in the panel's full year list (btergm's fit
    clock), not its position in a shorter list (btergm's gof(nets[k:l]) re-indexing)."""
    from customsnet.modeling.panel.panel import Panel

    n, years = 6, [2001, 2002, 2003, 2004, 2005]
    labels = np.array([f"v{k}" for k in range(n)])
    panel = Panel(
        years=years, nodes={y: labels for y in years}, networks={"nets": {y: random_graph(n, 0.3, y) for y in years}}
    )
    ym = simulation_inputs([0.0, 1.0, 0.0], panel, formula="nets ~ edges + timecov() + memory()", year=2005)
    off = ~np.eye(n, dtype=bool)
    np.testing.assert_array_equal(ym.model.dyad_logodds[off], 5.0)  # 2005 is calendar step 5 of 5
    # btergm's gof(nets[4:5]) quirk, only when asked: 2005 is position 2 of the window 2004-2005
    quirk = simulation_inputs(
        [0.0, 1.0, 0.0], panel, formula="nets ~ edges + timecov() + memory()", year=2005, btergm_window_start=2004
    )
    np.testing.assert_array_equal(quirk.model.dyad_logodds[off], 2.0)
    # timecov(maximum = 4) is off in 2005 on the calendar clock, on inside the window (2 <= 4)
    capped = "nets ~ edges + timecov(maximum = 4) + memory()"
    np.testing.assert_array_equal(
        simulation_inputs([0.0, 1.0, 0.0], panel, formula=capped, year=2005).model.dyad_logodds[off], 0
    )
    inside = simulation_inputs([0.0, 1.0, 0.0], panel, formula=capped, year=2005, btergm_window_start=2004)
    np.testing.assert_array_equal(inside.model.dyad_logodds[off], 2.0)
    # the same network as the full panel's (only the clock moves)
    assert (quirk.observed != ym.observed).nnz == 0 and (quirk.previous != ym.previous).nnz == 0
    with pytest.raises(SimulationError, match="must start"):
        simulation_inputs(
            [0, 1, 0], panel, formula="nets ~ edges + timecov() + memory()", year=2005, btergm_window_start=1999
        )


def test_predict_btergm_takes_btergms_window_clock_only_when_labelled():
    """``predict_btergm(btergm_window_start=k)`` scores year l as btergm's gof(nets[k:l]) does."""
    from customsnet.modeling.evaluation.predict import predict_btergm
    from customsnet.modeling.panel.panel import Panel
    from customsnet.modeling.simulation.settings import SimulationSettings

    n, years = 6, [2001, 2002, 2003, 2004, 2005]
    labels = np.array([f"v{k}" for k in range(n)])
    panel = Panel(
        years=years, nodes={y: labels for y in years}, networks={"nets": {y: random_graph(n, 0.3, y) for y in years}}
    )
    # edges -50 + timecov 10 x position: log-odds 0 at calendar step 5, -30 at window step 2
    coefs, formula = [-50.0, 10.0, 0.0], "nets ~ edges + timecov() + memory()"
    chain = SimulationSettings(nsim=20, seed=1, burnin=500, interval=50)
    calendar = predict_btergm(coefs, panel, formula=formula, year=2005, settings=chain)
    window = predict_btergm(coefs, panel, formula=formula, year=2005, settings=chain, btergm_window_start=2004)
    assert 0.2 < calendar.scores["score"].mean() < 0.8
    assert window.scores["score"].mean() < 0.05
    assert window.settings["btergm_window_start"] == 2004 and "btergm_window_start" not in calendar.settings
