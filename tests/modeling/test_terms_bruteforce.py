"""Every term's vectorised change statistic equals g(Y+) - g(Y-) computed by toggling each dyad.

The statistics themselves are checked against slow, loop-based textbook definitions and a few
networks small enough to compute by hand.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from customsnet.modeling.terms import (
    GWESP,
    REGISTRY,
    AbsDiff,
    DelRecip,
    DyadCov,
    EdgeCov,
    Edges,
    GWDegree,
    GWIDegree,
    GWODegree,
    Memory,
    Mutual,
    NodeCov,
    NodeICov,
    NodeMatch,
    NodeOCov,
    Offset,
    StepInputs,
    TermError,
    TimeCov,
    all_dyads,
    triads,
)
from customsnet.modeling.terms import categorical as cat
from customsnet.modeling.terms import degree as degree_terms
from customsnet.modeling.terms import shared_partners as sp_terms
from customsnet.modeling.terms.base import dense_adjacency, per_dyad_changes

DECAYS = [0.0, 0.1, 0.5, 1.0]


def random_network(rng: np.random.Generator, n: int, p: float, directed: bool) -> np.ndarray:
    a = (rng.random((n, n)) < p).astype(float)
    np.fill_diagonal(a, 0)
    if not directed:
        a = np.triu(a, 1)
        a = a + a.T
    return a


def random_step(seed: int, directed: bool, n: int = 8, p: float = 0.35) -> StepInputs:
    rng = np.random.default_rng(seed)
    cov = rng.normal(size=(n, n))
    if not directed:
        cov = np.triu(cov, 1) + np.triu(cov, 1).T
    return StepInputs(
        year=2000,
        nodes=np.array([f"v{k}" for k in range(n)]),
        network=sp.csr_matrix(random_network(rng, n, p, directed)),
        directed=directed,
        lagged={
            1: sp.csr_matrix(random_network(rng, n, 0.3, directed)),
            2: sp.csr_matrix(random_network(rng, n, 0.3, directed)),
        },
        dyad_covs={"cov": cov},
        node_attrs={"x": rng.normal(size=n), "group": rng.integers(0, 3, size=n).astype(float)},
        time_index=4,
        n_times=6,
    )


def toggled(a: np.ndarray, i: int, j: int, value: float, directed: bool) -> np.ndarray:
    b = a.copy()
    b[i, j] = value
    if not directed:
        b[j, i] = value
    return b


def brute_force_changes(term, step: StepInputs) -> np.ndarray:
    a = step.network.toarray()
    tail, head = all_dyads(step.n, step.directed)
    out = np.empty((len(tail), term.n_stats))
    for k, (i, j) in enumerate(zip(tail, head)):
        plus = term.statistic(step.with_network(toggled(a, i, j, 1.0, step.directed)))
        minus = term.statistic(step.with_network(toggled(a, i, j, 0.0, step.directed)))
        out[k] = plus - minus
    return out


UNDIRECTED_TERMS = (
    [
        Edges(),
        EdgeCov("cov"),
        DyadCov("cov"),
        NodeCov("x"),
        AbsDiff("x"),
        AbsDiff("x", pow=2),
        NodeMatch("group"),
        DelRecip(),
        DelRecip(mutuality=True, lag=2),
        TimeCov(),
        TimeCov(x="cov", transform="function(t) t^2"),
    ]
    + [Memory(t, lag) for t in ("autoregression", "stability", "innovation", "loss") for lag in (1, 2)]
    + [GWESP(a) for a in DECAYS]
    + [GWDegree(a) for a in DECAYS]
)

DIRECTED_TERMS = (
    [
        Edges(),
        EdgeCov("cov"),
        NodeCov("x"),
        AbsDiff("x"),
        NodeICov("x"),
        NodeOCov("x"),
        NodeMatch("group"),
        Mutual(),
        DelRecip(),
        DelRecip(mutuality=True),
        Memory("stability"),
        Memory("loss", 2),
        TimeCov(x="cov", minimum=2),
    ]
    + [GWESP(a) for a in DECAYS]
    + [GWESP(a, type="OTP") for a in (0.5,)]
    + [GWIDegree(a) for a in DECAYS]
    + [GWODegree(a) for a in DECAYS]
)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("term", UNDIRECTED_TERMS, ids=lambda t: t.to_r())
def test_undirected_change_statistic_is_toggle_difference(term, seed):
    step = random_step(seed, directed=False)
    term.check_directedness(False)
    tail, head = all_dyads(step.n, False)
    np.testing.assert_allclose(term.change_stats(step, tail, head), brute_force_changes(term, step), rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", [4, 5, 6])
@pytest.mark.parametrize("term", DIRECTED_TERMS, ids=lambda t: t.to_r())
def test_directed_change_statistic_is_toggle_difference(term, seed):
    step = random_step(seed, directed=True)
    term.check_directedness(True)
    tail, head = all_dyads(step.n, True)
    np.testing.assert_allclose(term.change_stats(step, tail, head), brute_force_changes(term, step), rtol=0, atol=1e-12)


def test_dense_networks_with_many_shared_partners():
    """Shared-partner counts up to n-2 (exponents well away from 0 and 1)."""
    for directed in (False, True):
        step = random_step(11, directed, n=9, p=0.8)
        tail, head = all_dyads(step.n, directed)
        for term in (GWESP(0.3),) + ((GWIDegree(0.7), GWODegree(0.2)) if directed else (GWDegree(0.7),)):
            np.testing.assert_allclose(
                term.change_stats(step, tail, head), brute_force_changes(term, step), rtol=0, atol=1e-12
            )


# ------------------------------------------------------------------ statistics by their definitions
def naive_gwesp(a: np.ndarray, decay: float, directed: bool) -> float:
    r = 1 - np.exp(-decay)
    n = len(a)
    total = 0.0
    for i, j in itertools.permutations(range(n), 2):
        if a[i, j] and (directed or i < j):
            # OTP partner: i -> k -> j; undirected: common neighbour
            sp_ij = sum(1 for k in range(n) if k not in (i, j) and a[i, k] and a[k, j])
            total += np.exp(decay) * (1 - r**sp_ij)
    return total


def naive_gwdegree(degrees, decay: float) -> float:
    r = 1 - np.exp(-decay)
    return sum(np.exp(decay) * (1 - r**d) for d in degrees)


@pytest.mark.parametrize("decay", DECAYS)
def test_statistics_match_loop_definitions(decay):
    for directed, seed in ((False, 21), (True, 22)):
        step = random_step(seed, directed, n=9, p=0.45)
        a = step.network.toarray()
        assert GWESP(decay).statistic(step)[0] == pytest.approx(naive_gwesp(a, decay, directed), abs=1e-12)
        if directed:
            assert GWIDegree(decay).statistic(step)[0] == pytest.approx(naive_gwdegree(a.sum(0), decay), abs=1e-12)
            assert GWODegree(decay).statistic(step)[0] == pytest.approx(naive_gwdegree(a.sum(1), decay), abs=1e-12)
            mutual_pairs = sum(1 for i, j in itertools.combinations(range(9), 2) if a[i, j] and a[j, i])
            assert Mutual().statistic(step)[0] == mutual_pairs
        else:
            assert GWDegree(decay).statistic(step)[0] == pytest.approx(naive_gwdegree(a.sum(0), decay), abs=1e-12)


def small_directed(edges, n=4) -> StepInputs:
    a = np.zeros((n, n))
    for i, j in edges:
        a[i, j] = 1
    return StepInputs(
        year=1,
        nodes=np.arange(n).astype(str),
        network=sp.csr_matrix(a),
        directed=True,
        node_attrs={"x": np.array([1.0, 2.0, 4.0, 8.0])[:n]},
    )


def test_hand_computed_directed_example():
    # 0 -> 1 -> 2 and 0 -> 2: the tie 0 -> 2 has one OTP partner (1); 1 <-> 3 is mutual.
    step = small_directed([(0, 1), (1, 2), (0, 2), (1, 3), (3, 1)])
    decay = np.log(2.0)  # r = 1/2, exp(decay) = 2
    # GWESP OTP: only 0 -> 2 has a partner: 2 * (1 - 1/2) = 1
    assert GWESP(decay).statistic(step)[0] == pytest.approx(1.0, abs=1e-14)
    # in-degrees (0, 2, 2, 1): 2 * [0 + 3/4 + 3/4 + 1/2] = 4
    assert GWIDegree(decay).statistic(step)[0] == pytest.approx(4.0, abs=1e-14)
    # out-degrees (2, 2, 0, 1): 2 * [3/4 + 3/4 + 0 + 1/2] = 4
    assert GWODegree(decay).statistic(step)[0] == pytest.approx(4.0, abs=1e-14)
    assert Mutual().statistic(step)[0] == 1.0
    tail, head = np.array([2, 0, 1, 3]), np.array([0, 2, 0, 0])
    # mutual: the change for i -> j is y_ji: 0 -> 2 exists, 2 -> 0 does not, 0 -> 1 exists, 0 -> 3 does not
    np.testing.assert_array_equal(Mutual().change_stats(step, tail, head).ravel(), [1, 0, 1, 0])
    # nodeicov/nodeocov read the receiver's / sender's attribute
    np.testing.assert_array_equal(NodeICov("x").change_stats(step, tail, head).ravel(), [1, 4, 1, 1])
    np.testing.assert_array_equal(NodeOCov("x").change_stats(step, tail, head).ravel(), [4, 1, 2, 8])
    # OTP change for 0 -> 2 (present): focal 2 * (1 - 1/2) = 1; no edge 0 -> k with 2 -> k, none k -> 2 with k -> 0
    assert GWESP(decay).change_stats(step, np.array([0]), np.array([2]))[0, 0] == pytest.approx(1.0, abs=1e-14)
    # OTP change for 0 -> 3 (absent): focal partner 1 (0 -> 1 -> 3) gives 1; edge 1 -> 3 gains nothing
    # (needs 1 -> 0); edge 0 -> 1? needs 3 -> 1 and 0 -> 1: yes, 0 -> 1 gains path 0 -> 3 -> 1: r^L(0->1) = r^0 = 1
    assert GWESP(decay).change_stats(step, np.array([0]), np.array([3]))[0, 0] == pytest.approx(2.0, abs=1e-14)


def test_hand_computed_undirected_gwesp():
    # triangle 0-1-2 plus pendant 2-3; r = 1/2, exp(decay) = 2
    a = np.zeros((4, 4))
    for i, j in [(0, 1), (1, 2), (0, 2), (2, 3)]:
        a[i, j] = a[j, i] = 1
    step = StepInputs(year=1, nodes=np.arange(4).astype(str), network=sp.csr_matrix(a))
    decay = np.log(2.0)
    # each triangle edge has 1 shared partner: 3 * 2 * (1 - 1/2) = 3
    assert GWESP(decay).statistic(step)[0] == pytest.approx(3.0)
    # adding 0-3: common neighbour 2; focal 2*(1 - 1/2) = 1; edges 0-2 (sp 1) and 3-2 (sp 0) gain: 1/2 + 1
    assert GWESP(decay).change_stats(step, np.array([0]), np.array([3]))[0, 0] == pytest.approx(2.5)
    # gwdegree change for 0-3 (absent): r^2 + r^1 = 3/4
    assert GWDegree(decay).change_stats(step, np.array([0]), np.array([3]))[0, 0] == pytest.approx(0.75)


def test_directedness_is_enforced():
    with pytest.raises(TermError, match="directed network"):
        Mutual().check_directedness(False)
    with pytest.raises(TermError, match="undefined on directed"):
        GWDegree(0.1).check_directedness(True)
    with pytest.raises(TermError, match="UTP is for undirected"):
        GWESP(0.5, type="UTP").check_directedness(True)
    GWESP(0.5, type="ITP").check_directedness(True)  # every directed shared-partner type is implemented
    with pytest.raises(TermError, match="directed dyadcov"):
        DyadCov("cov").check_directedness(True)


# ------------------------------------------------------------------ the registry: every term, both kinds of network
SP_TYPES = ("OTP", "ITP", "RTP", "OSP", "ISP")

#: R name -> example terms; a registered term without an entry fails test_every_registered_term_has_examples
EXAMPLES = {
    "offset": [Offset(EdgeCov("cov")), Offset(GWESP(0.5)), Offset(cat.NodeFactor("group")), Offset(Mutual())],
    "edges": [Edges()],
    "edgecov": [EdgeCov("cov")],
    "dyadcov": [DyadCov("cov")],
    "nodecov": [NodeCov("x")],
    "absdiff": [AbsDiff("x"), AbsDiff("x", pow=2)],
    "nodeicov": [NodeICov("x")],
    "nodeocov": [NodeOCov("x")],
    "nodematch": [
        NodeMatch("group"),
        cat.NodeMatch("group", diff=True),
        cat.NodeMatch("group", levels=("1", "2")),
        cat.NodeMatch("group", diff=True, levels=(-1.0,)),
        cat.NodeMatch("group", keep=(1.0, 3.0)),
    ],
    "nodefactor": [
        cat.NodeFactor("group"),
        cat.NodeFactor("group", levels=None),
        cat.NodeFactor("group", levels=("2",)),
    ],
    "nodeifactor": [cat.NodeIFactor("group")],
    "nodeofactor": [cat.NodeOFactor("group", levels=("__all__",))],
    "nodemix": [cat.NodeMix("group"), cat.NodeMix("group", levels=(1.0, 3.0), levels2=None)],
    "absdiffcat": [cat.AbsDiffCat("group"), cat.AbsDiffCat("group", levels=(-1.0,))],
    "memory": [Memory(t, lag) for t in ("autoregression", "stability", "innovation", "loss") for lag in (1, 2)],
    "delrecip": [DelRecip(), DelRecip(mutuality=True, lag=2)],
    "timecov": [TimeCov(), TimeCov(x="cov", transform="function(t) t^2", minimum=2)],
    "mutual": [
        Mutual(),
        Mutual(same="group"),
        Mutual(same="group", diff=True),
        Mutual(by="group"),
        Mutual(same="group", levels=(-1.0,)),
        Mutual(by="group", keep=(2.0, 3.0)),
    ],
    "gwesp": [GWESP(a) for a in DECAYS] + [GWESP(0.5, type=t) for t in SP_TYPES],
    "dgwesp": [sp_terms.DGWESP(0.7, type=t) for t in SP_TYPES],
    "gwdegree": [GWDegree(a) for a in DECAYS],
    "gwidegree": [GWIDegree(a) for a in DECAYS],
    "gwodegree": [GWODegree(a) for a in DECAYS],
    "triangle": [triads.Triangle()],
    "ttriple": [triads.TTriple()],
    "ctriple": [triads.CTriple()],
    "transitiveties": [triads.TransitiveTies()],
    "cyclicalties": [triads.CyclicalTies()],
    "twopath": [triads.TwoPath()],
    "intransitive": [triads.Intransitive()],
    "kstar": [degree_terms.KStar(2), degree_terms.KStar((1, 3))],
    "istar": [degree_terms.IStar(2), degree_terms.IStar((1, 3))],
    "ostar": [degree_terms.OStar(2), degree_terms.OStar((1, 3))],
    "degree": [degree_terms.Degree((0, 1, 2, 3))],
    "idegree": [degree_terms.IDegree((0, 1, 2))],
    "odegree": [degree_terms.ODegree((0, 1, 2))],
    "isolates": [degree_terms.Isolates()],
    "concurrent": [degree_terms.Concurrent()],
    "esp": [sp_terms.ESP((0, 1, 2))] + [sp_terms.ESP((0, 1, 2), type=t) for t in SP_TYPES],
    "dsp": [sp_terms.DSP((0, 1, 2))] + [sp_terms.DSP((0, 1, 2), type=t) for t in SP_TYPES],
    "nsp": [sp_terms.NSP((0, 1, 2))] + [sp_terms.NSP((0, 1, 2), type=t) for t in SP_TYPES],
    "gwdsp": [sp_terms.GWDSP(a) for a in (0.0, 0.5)] + [sp_terms.GWDSP(0.5, type=t) for t in SP_TYPES],
    "gwnsp": [sp_terms.GWNSP(a) for a in (0.0, 0.5)] + [sp_terms.GWNSP(0.5, type=t) for t in SP_TYPES],
    "dgwdsp": [sp_terms.DGWDSP(0.3, type=t) for t in SP_TYPES],
    "dgwnsp": [sp_terms.DGWNSP(0.3, type=t) for t in SP_TYPES],
}


def test_every_registered_term_has_examples():
    missing = sorted(set(REGISTRY) - set(EXAMPLES))
    assert not missing, f"registered terms without brute-force examples: {missing}"
    assert not sorted(set(EXAMPLES) - set(REGISTRY)), "examples for terms that are not registered"
    for name, terms in EXAMPLES.items():
        assert terms and all(type(t).r_name == name for t in terms), name


#: the levels of random_step's attributes, as Panel.attribute_levels gives them
LEVELS = {"group": (np.array([0.0, 1.0, 2.0]), ("0", "1", "2"))}


def _defined(term, directed: bool) -> bool:
    try:
        term = term.with_levels(LEVELS, directed)
        term.check_directedness(directed)
        term.coef_names(directed)
    except TermError:
        return False
    return True


REGISTRY_CASES = [
    pytest.param(
        term.with_levels(LEVELS, directed), directed, id=f"{term.to_r()}-{'directed' if directed else 'undirected'}"
    )
    for name in sorted(EXAMPLES)
    for term in EXAMPLES[name]
    for directed in (False, True)
    if _defined(term, directed)
]


def test_every_registered_term_is_defined_on_some_network():
    covered = {type(p.values[0]).r_name for p in REGISTRY_CASES}
    assert covered == set(REGISTRY)


@pytest.mark.parametrize(("term", "directed"), REGISTRY_CASES)
def test_registered_term_change_statistic_is_toggle_difference(term, directed):
    for seed in (31, 32):
        step = random_step(seed, directed, n=7, p=0.4)
        tail, head = all_dyads(step.n, directed)
        got = term.change_stats(step, tail, head)
        assert got.shape == (len(tail), term.n_stats) == (len(tail), len(term.coef_names(directed)))
        np.testing.assert_allclose(got, brute_force_changes(term, step), rtol=0, atol=1e-10)


@pytest.mark.parametrize(("term", "directed"), [c for c in REGISTRY_CASES if c.values[0].dependent])
def test_sampler_change_function_equals_design_change_statistics(term, directed):
    """The generic sampler's per-dyad function agrees with the design's change statistics."""
    step = random_step(41, directed, n=9, p=0.45)
    tail, head = all_dyads(step.n, directed)
    func, params = term.sampler_change(step)
    got = per_dyad_changes(
        func, np.asarray(params, dtype=np.float64), term.n_stats, dense_adjacency(step.network), tail, head
    )
    np.testing.assert_allclose(got, term.change_stats(step, tail, head), rtol=0, atol=1e-10)


def test_registry_lists_only_terms_with_a_coefficient_name():
    for name, cls in REGISTRY.items():
        assert cls.r_name == name


def test_hand_computed_triads():
    # directed: 0 -> 1 -> 2, 0 -> 2 (one transitive triple), 2 -> 0 closes the cycle 0 -> 1 -> 2 -> 0
    step = small_directed([(0, 1), (1, 2), (0, 2), (2, 0)])
    assert triads.TTriple().statistic(step)[0] == 1  # 0->1->2 with 0->2
    assert triads.CTriple().statistic(step)[0] == 1  # 0->1->2->0
    assert triads.Triangle().statistic(step)[0] == 2
    # transitive ties: 0 -> 2 (via 1); cyclical ties: ties i -> j with a path j -> k -> i:
    # 0->1 (1->2->0), 1->2 (2->0->1), 2->0 (0->1->2)
    assert triads.TransitiveTies().statistic(step)[0] == 1
    assert triads.CyclicalTies().statistic(step)[0] == 3
    # two-paths a -> v -> b, a != b: 0->1->2, 1->2->0, 2->0->1, 2->0->2? (a == b, no), 0->2->0 (no)
    assert triads.TwoPath().statistic(step)[0] == 3
    # intransitive two-paths: 1->2->0 (no 1->0), 2->0->1 (no 2->1); 0->1->2 is closed by 0->2
    assert triads.Intransitive().statistic(step)[0] == 2
    assert degree_terms.IStar(2).statistic(step)[0] == 1  # node 2 has in-degree 2
    assert degree_terms.Isolates().statistic(step)[0] == 1  # node 3


def test_categorical_names_and_refusals():
    from customsnet.modeling.terms.formula import FormulaError, parse_formula

    f = parse_formula("n ~ kstar(2:3) + esp(0:1) + dsp(1, type = 'ISP') + gwdsp(0.5, fixed = TRUE) + degree(c(0, 2))")
    assert f.coef_names(False) == ["kstar2", "kstar3", "esp0", "esp1", "dsp1", "gwdsp.fixed.0.5", "degree0", "degree2"]
    g = parse_formula(
        "n ~ esp(1) + dsp(1, type = 'ISP') + gwnsp(0.5, fixed = TRUE, type = 'RTP') + dgwesp(0.1, fixed = TRUE)"
    )
    # ergm 4.4 names: plain esp without a type has none; an explicit type and dgw* terms carry it
    assert g.coef_names(True) == ["esp1", "dsp.ISP1", "gwnsp.RTP.fixed.0.5", "gwesp.OTP.fixed.0.1"]
    with pytest.raises(FormulaError, match="curved"):
        parse_formula("n ~ gwdsp(0.5)")
    levels = {"sex": (np.array([0.0, 1.0]), ("F", "M"))}
    m = parse_formula("n ~ mutual + mutual(same = 'sex') + mutual(same = 'sex', diff = TRUE) + mutual(by = 'sex')")
    m = type(m)(m.lhs, tuple(t.with_levels(levels, True) for t in m.terms))
    assert m.coef_names(True) == [
        "mutual",
        "mutual.sex",
        "mutual.same.sex.F",
        "mutual.same.sex.M",
        "mutual.by.sex.F",
        "mutual.by.sex.M",
    ]
    with pytest.raises(FormulaError, match="attribute-matched"):
        parse_formula("n ~ ttriple(attr = 'a')")


def test_level_names_follow_ergm():
    from customsnet.modeling.terms.formula import parse_formula

    levels = {
        "sex": (np.array([0.0, 1.0]), ("F", "M")),
        "g": (np.arange(3.0), ("a", "b", "c")),
        "age": (np.array([10.0, 11.0, 13.0]), ("10", "11", "13")),
    }
    f = parse_formula(
        "n ~ nodefactor('g') + nodematch('g', diff = TRUE) + nodematch('sex') + nodemix('sex') "
        "+ absdiffcat('age') + nodematch('g', levels = c('a', 'c'))"
    )
    bound = type(f)(f.lhs, tuple(t.with_levels(levels, False) for t in f.terms))
    assert bound.coef_names(False) == [
        "nodefactor.g.b",
        "nodefactor.g.c",
        "nodematch.g.a",
        "nodematch.g.b",
        "nodematch.g.c",
        "nodematch.sex",
        "mix.sex.F.M",
        "mix.sex.M.M",
        "absdiff.age.1",
        "absdiff.age.2",
        "absdiff.age.3",
        "nodematch.g",
    ]
    assert cat.NodeFactor("g", levels=("__all__",)).with_levels(levels, False).coef_names(False) == [
        "nodefactor.g.a",
        "nodefactor.g.b",
        "nodefactor.g.c",
    ]
    directed = type(f)(f.lhs, tuple(t.with_levels(levels, True) for t in f.terms))
    assert [n for n in directed.coef_names(True) if n.startswith("mix.")] == [
        "mix.sex.M.F",
        "mix.sex.F.M",
        "mix.sex.M.M",
    ]
    with pytest.raises(TermError, match="bind it to the panel"):
        cat.NodeFactor("g").coef_names(False)
    with pytest.raises(TermError, match="do not occur"):
        cat.NodeFactor("g", levels=("z",)).with_levels(levels, False)
