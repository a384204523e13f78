"""Directed GOF: btergm's directed statistics against loop definitions, and a gof run on a directed panel."""

from __future__ import annotations

import itertools
from collections import deque

import numpy as np
import pytest
import scipy.sparse as sp
from directed_panels import COEFS, FORMULA, random_digraph, small_directed_panel

from customsnet.modeling.evaluation.gof import (
    BTERGM_DIRECTED_STATISTICS,
    DIRECTED_STATISTICS,
    DIRECTED_TRIADS,
    LABELS,
    STATISTICS,
    _triad_code_table,
    gof,
    gof_figure,
    gof_statistics,
    network_distribution,
    triad_census,
)
from customsnet.modeling.simulation.settings import SimulationSettings


def brute_force_directed(a: np.ndarray):
    """Loop definitions: in/out-degree, ergm's OTP ESP and DSP, directed BFS geodesics, either-way degree."""
    n = len(a)
    out_nb = [set(np.flatnonzero(a[v])) for v in range(n)]
    in_nb = [set(np.flatnonzero(a[:, v])) for v in range(n)]
    ideg, odeg, deg = np.zeros(n), np.zeros(n), np.zeros(n)
    esp, dsp, geo = np.zeros(n - 1), np.zeros(n - 1), np.zeros(n)
    for v in range(n):
        ideg[len(in_nb[v])] += 1
        odeg[len(out_nb[v])] += 1
        deg[len(in_nb[v] | out_nb[v])] += 1
    for i in range(n):
        dist = {i: 0}
        queue = deque([i])
        while queue:
            u = queue.popleft()
            for w in out_nb[u]:
                if w not in dist:
                    dist[w] = dist[u] + 1
                    queue.append(w)
        for j in range(n):
            if i == j:
                continue
            two_paths = sum(1 for h in range(n) if a[i, h] and a[h, j])  # i -> h -> j
            dsp[two_paths] += 1
            if a[i, j]:
                esp[two_paths] += 1
            if j in dist:
                geo[dist[j] - 1] += 1
            else:
                geo[-1] += 1
    return {"idegree": ideg, "odegree": odeg, "degree": deg, "esp": esp, "dsp": dsp, "geodesic": geo}


@pytest.mark.parametrize("seed,p", [(1, 0.1), (2, 0.3), (3, 0.05), (4, 0.6)])
def test_directed_distributions_match_loop_definitions(seed, p):
    n = 11
    a = random_digraph(n, p, seed)
    expected = brute_force_directed(a)
    for name, values in expected.items():
        for ordered in (False, True):  # btergm's double counting is an undirected matter only
            got = network_distribution(name, sp.csr_matrix(a), ordered=ordered, directed=True)
            np.testing.assert_array_equal(got, values, err_msg=f"{name}, ordered={ordered}")
    dsp = network_distribution("dsp", sp.csr_matrix(a), directed=True)
    assert dsp.sum() == n * (n - 1)  # every ordered pair
    assert network_distribution("esp", sp.csr_matrix(a), directed=True).sum() == a.sum()  # every tie once
    geo = network_distribution("geodesic", sp.csr_matrix(a), directed=True)
    assert geo.sum() == n * (n - 1)


def test_asymmetric_tie_counts_as_its_direction():
    a = np.zeros((4, 4))
    a[0, 1] = a[1, 2] = a[0, 2] = 1  # transitive triple 0->1->2, 0->2
    m = sp.csr_matrix(a)
    np.testing.assert_array_equal(network_distribution("idegree", m, directed=True), [2, 1, 1, 0])
    np.testing.assert_array_equal(network_distribution("odegree", m, directed=True), [2, 1, 1, 0])
    # OTP: only the tie 0->2 has a shared partner (the two-path 0->1->2)
    np.testing.assert_array_equal(network_distribution("esp", m, directed=True), [2, 1, 0])
    np.testing.assert_array_equal(network_distribution("dsp", m, directed=True), [11, 1, 0])
    # reachable ordered pairs: 0->1, 0->2, 1->2 all at distance 1; the other 9 pairs unreachable
    np.testing.assert_array_equal(network_distribution("geodesic", m, directed=True), [3, 0, 0, 9])
    # the same network read as undirected (btergm's deg): degrees 2, 2, 2, 0
    np.testing.assert_array_equal(network_distribution("degree", m, directed=True), [1, 0, 3, 0])


# Holland & Leinhardt's triad types on the nodes a=0, b=1, c=2 (sna's triad.census definitions)
#: a short chain for the directed gof runs
SHORT = SimulationSettings(nsim=4, burnin=100, interval=10)

TRIAD_EXAMPLES = {
    "003": [],
    "012": [(0, 1)],
    "102": [(0, 1), (1, 0)],
    "021D": [(1, 0), (1, 2)],  # a <- b -> c
    "021U": [(0, 1), (2, 1)],  # a -> b <- c
    "021C": [(0, 1), (1, 2)],  # a -> b -> c
    "111D": [(0, 1), (1, 0), (2, 1)],  # a <-> b <- c
    "111U": [(0, 1), (1, 0), (1, 2)],  # a <-> b -> c
    "030T": [(0, 1), (2, 1), (0, 2)],  # a -> b <- c, a -> c
    "030C": [(1, 0), (2, 1), (0, 2)],  # a <- b <- c, a -> c
    "201": [(0, 1), (1, 0), (1, 2), (2, 1)],  # a <-> b <-> c
    "120D": [(1, 0), (1, 2), (0, 2), (2, 0)],  # a <- b -> c, a <-> c
    "120U": [(0, 1), (2, 1), (0, 2), (2, 0)],  # a -> b <- c, a <-> c
    "120C": [(0, 1), (1, 2), (0, 2), (2, 0)],  # a -> b -> c, a <-> c
    "210": [(0, 1), (1, 2), (2, 1), (0, 2), (2, 0)],  # a -> b <-> c, a <-> c
    "300": [(u, v) for u in range(3) for v in range(3) if u != v],
}


def _adjacency(arcs, n=3) -> np.ndarray:
    a = np.zeros((n, n))
    for u, v in arcs:
        a[u, v] = 1
    return a


@pytest.mark.parametrize("name", DIRECTED_TRIADS)
def test_triad_census_names_each_type_under_every_relabelling(name):
    for perm in itertools.permutations(range(3)):
        a = _adjacency([(perm[u], perm[v]) for u, v in TRIAD_EXAMPLES[name]])
        census = triad_census(a, directed=True)
        assert census[DIRECTED_TRIADS.index(name)] == 1 and census.sum() == 1, (name, perm)


def test_triad_code_table_is_a_function_of_the_isomorphism_class():
    table = _triad_code_table()
    arcs = [(0, 1), (1, 0), (0, 2), (2, 0), (1, 2), (2, 1)]
    for code in range(64):
        present = [arc for bit, arc in enumerate(arcs) if code >> bit & 1]
        for perm in itertools.permutations(range(3)):
            moved = sum(1 << arcs.index((perm[u], perm[v])) for u, v in present)
            assert table[moved] == table[code]
    # the 64 patterns fall into the 16 classes with their known sizes (orbits under the 6 relabellings)
    sizes = np.bincount(table, minlength=16)
    assert dict(zip(DIRECTED_TRIADS, sizes)) == {
        "003": 1, "012": 6, "102": 3, "021D": 3, "021U": 3, "021C": 6, "111D": 6, "111U": 6,
        "030T": 6, "030C": 2, "201": 3, "120D": 3, "120U": 3, "120C": 6, "210": 6, "300": 1,
    }  # fmt: skip


@pytest.mark.parametrize("seed,p", [(5, 0.2), (6, 0.5)])
def test_triad_census_counts_every_triple_once(seed, p):
    n = 9
    a = random_digraph(n, p, seed)
    census = triad_census(a, directed=True)
    by_triple = np.zeros(16)
    for trio in itertools.combinations(range(n), 3):
        by_triple += triad_census(a[np.ix_(trio, trio)], directed=True)
    np.testing.assert_array_equal(census, by_triple)
    assert census.sum() == n * (n - 1) * (n - 2) / 6
    undirected = np.maximum(a, a.T)
    edges_per_triple = [undirected[np.ix_(t, t)].sum() / 2 for t in itertools.combinations(range(n), 3)]
    np.testing.assert_array_equal(triad_census(undirected), np.bincount(np.array(edges_per_triple, int), minlength=4))


def test_statistics_choice_by_directedness():
    assert gof_statistics(STATISTICS, directed=True) == DIRECTED_STATISTICS
    assert gof_statistics(STATISTICS, directed=False) == STATISTICS
    # btergm's own default list (dsp, esp, deg, ideg, geodesic) on a directed network
    assert gof_statistics(STATISTICS, directed=True, btergm_compatible=True) == BTERGM_DIRECTED_STATISTICS
    assert set(BTERGM_DIRECTED_STATISTICS) == {"dsp", "esp", "degree", "idegree", "geodesic"}
    assert gof_statistics(("degree", "triad"), directed=True) == ("degree", "triad")
    with pytest.raises(ValueError, match="directed panel"):
        gof_statistics(("idegree",), directed=False)
    with pytest.raises(ValueError, match="unknown GOF statistic"):
        gof_statistics(("kcycle",), directed=True)


def test_gof_on_a_directed_panel(tmp_path):
    panel = small_directed_panel()
    result = gof(
        COEFS,
        panel,
        formula=FORMULA,
        years=[2, 3],
        settings=SimulationSettings(nsim=6, seed=1, burnin=200, interval=20),
        rgraph_seed=2,
    )
    assert list(result.tables) == list(DIRECTED_STATISTICS)
    n = 9
    for name in DIRECTED_STATISTICS:
        for k, year in enumerate([2, 3]):
            expected = network_distribution(name, panel.network("friendship", year), directed=True)
            np.testing.assert_array_equal(result.raw_obs[name][: len(expected), k], expected)
        # every simulated network has n nodes / n(n-1) ordered pairs in its distribution
        unit = n if name in ("idegree", "odegree") else n * (n - 1) if name in ("dsp", "geodesic") else None
        if unit is not None:
            np.testing.assert_array_equal(result.raw_sim[name].sum(axis=0), unit)
    obs_total = result.tables["dsp"]["obs"].sum()
    assert obs_total == 2 * n * (n - 1)  # two years pooled
    assert result.tie_prediction is not None and 0 <= result.tie_prediction.auc_roc <= 1
    assert "Indegree" in result.summary() and "Outdegree" in result.summary()
    geodesic = result.tables["geodesic"]  # trailing empty distances trimmed, the unreachable pairs kept
    assert geodesic.index[-1] == "Inf" and geodesic.iloc[-2][["obs", "max"]].max() > 0
    fig = gof_figure(result)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert titles == [LABELS[name] for name in DIRECTED_STATISTICS]
    compatible = gof(COEFS, panel, formula=FORMULA, years=[3], settings=SHORT, btergm_compatible=True)
    assert list(compatible.tables) == list(BTERGM_DIRECTED_STATISTICS)
    # ordered counting changes nothing on a digraph: btergm's observed DSP row sums to n(n-1)
    assert compatible.tables["dsp"]["obs"].sum() == n * (n - 1)
    with_triads = gof(COEFS, panel, formula=FORMULA, years=[3], settings=SHORT, statistics=("triad",))
    table = with_triads.tables["triad"]
    assert list(table.index) == list(DIRECTED_TRIADS)  # nominal: nothing trimmed
    np.testing.assert_array_equal(table["obs"], triad_census(panel.network("friendship", 3), directed=True))
    paths = with_triads.plot(tmp_path / "triads")
    assert all(p.stat().st_size > 1000 for p in paths)
