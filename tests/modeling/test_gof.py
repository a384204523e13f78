"""GOF statistics (against brute-force counts), btergm's reduce.matrix, and an end-to-end run on case1."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy import stats as sps

from customsnet.modeling.evaluation.gof import (
    degree_distribution,
    dsp_distribution,
    esp_distribution,
    geodesic_distribution,
    gof,
    reduce_btergm,
    summarize,
)
from customsnet.modeling.simulation.settings import SimulationSettings

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "btergm"


def random_graph(n: int, p: float, seed: int) -> sp.csr_matrix:
    upper = np.triu(np.random.default_rng(seed).random((n, n)) < p, 1)
    return sp.csr_matrix((upper | upper.T).astype(float))


def brute_force(a: np.ndarray):
    """Loop-based counts per unordered pair: degrees, ESP, DSP and BFS geodesics."""
    n = len(a)
    nbrs = [set(np.flatnonzero(a[v])) for v in range(n)]
    deg = np.zeros(n)
    esp = np.zeros(n - 1)
    dsp = np.zeros(n - 1)
    geo = np.zeros(n)  # distances 1..n-1, then Inf
    for v in range(n):
        deg[len(nbrs[v])] += 1
    for i in range(n):
        dist = {i: 0}
        queue = deque([i])
        while queue:
            u = queue.popleft()
            for w in nbrs[u]:
                if w not in dist:
                    dist[w] = dist[u] + 1
                    queue.append(w)
        for j in range(i + 1, n):
            k = len(nbrs[i] & nbrs[j])
            dsp[k] += 1
            if a[i, j]:
                esp[k] += 1
            if j in dist:
                geo[dist[j] - 1] += 1
            else:
                geo[-1] += 1
    return deg, esp, dsp, geo


@pytest.mark.parametrize("seed,p", [(1, 0.08), (2, 0.2), (3, 0.03)])
def test_distributions_match_brute_force(seed, p):
    a = random_graph(40, p, seed)
    deg, esp, dsp, geo = brute_force(a.toarray())
    np.testing.assert_array_equal(degree_distribution(a), deg)
    np.testing.assert_array_equal(esp_distribution(a), esp)
    np.testing.assert_array_equal(dsp_distribution(a), dsp)
    np.testing.assert_array_equal(geodesic_distribution(a), geo)
    # btergm counts ordered pairs / both directions of each edge on the symmetric digraph
    np.testing.assert_array_equal(esp_distribution(a, ordered=True), 2 * esp)
    np.testing.assert_array_equal(dsp_distribution(a, ordered=True), 2 * dsp)
    np.testing.assert_array_equal(geodesic_distribution(a, ordered=True), 2 * geo)
    n = 40
    assert dsp_distribution(a, ordered=True).sum() == n * (n - 1)
    assert esp_distribution(a).sum() == a.nnz / 2


def test_reduce_btergm_single_target_follows_r():
    # 6 categories; the last two rows are empty in both sim and obs
    sim = np.array([[2, 4], [3, 1], [1, 1], [0, 2], [0, 0], [0, 0]], dtype=float)
    obs = np.array([[3], [2], [1], [1], [0], [0]], dtype=float)
    labels = [str(k) for k in range(6)]
    table = reduce_btergm(sim, obs, labels, geodesic=False)
    # R: sim.remove = 5 (rows 5,6 empty), obs.remove = 5 -> rem = 5; keep rows 1..4 and add a zero row 5
    assert list(table.index) == ["0", "1", "2", "3", "4"]
    np.testing.assert_array_equal(table["obs"], [3, 2, 1, 1, 0])
    np.testing.assert_array_equal(table["sim: mean"], [3, 2, 1, 1, 0])
    mean = np.array([3, 2, 1, 1, 0.0])
    z = (mean - np.array([3, 2, 1, 1, 0])) / np.std(mean, ddof=1)
    np.testing.assert_allclose(table["Pr(>z)"], 2 * sps.norm.sf(np.abs(z)))
    # quirk: with no trailing empty row, the last category is replaced by zeros
    table = reduce_btergm(sim[:4], obs[:4], labels[:4], geodesic=False)
    assert list(table.index) == ["0", "1", "2", "3"]
    np.testing.assert_array_equal(table["sim: mean"], [3, 2, 1, 0])
    np.testing.assert_array_equal(table["obs"], [3, 2, 1, 0])


def test_reduce_btergm_geodesic_keeps_inf_and_several_targets_use_welch():
    sim = np.array([[5, 6, 5, 7], [2, 3, 4, 2], [0, 0, 0, 0], [1, 0, 2, 1]], dtype=float)
    obs = np.array([[5, 6], [3, 2], [0, 0], [1, 1]], dtype=float)
    table = reduce_btergm(sim, obs, ["1", "2", "3", "Inf"], geodesic=True)
    assert list(table.index) == ["1", "2", "3", "Inf"]
    np.testing.assert_array_equal(table["sim: mean"], [5.75, 2.75, 0, 1])
    expected = sps.ttest_ind(obs[0], sim[0], equal_var=False).pvalue
    assert table["Pr(>z)"].iloc[0] == pytest.approx(expected)
    assert np.isnan(table["Pr(>z)"].iloc[2])  # constant rows: R's t.test errors, btergm leaves NA


def test_summarize_mc_p_values_by_hand():
    sim = np.array([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [0] * 10, [0] * 10], dtype=float)
    obs = np.array([[9.0], [1.0], [0.0]])
    table = summarize(sim, obs, ["0", "1", "2"], nsim=10)
    assert list(table.index) == ["0", "1"]  # trailing all-zero category trimmed
    # P(sim >= 9) = 0.2, P(sim <= 9) = 0.9 -> p = 0.4; row 1: P(sim >= 1) = 0 -> p = 0
    np.testing.assert_allclose(table["MC p-value"], [0.4, 0.0])
    # two targets, 5 draws each: draws are summed over targets before comparing
    sim2 = np.array([[1, 2, 3, 4, 5, 1, 1, 1, 1, 1]], dtype=float)
    obs2 = np.array([[2.0, 2.0]])
    table2 = summarize(sim2, obs2, ["0"], nsim=5)
    assert table2["obs"].iloc[0] == 4
    np.testing.assert_allclose(table2["sim: mean"], [4.0])  # pooled draws 2,3,4,5,6


def test_gof_on_reference_case(tmp_path):
    case = REF / "case1"
    if not case.is_dir():
        pytest.skip(f"reference data not found at {case}")
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    panel = read_reference_panel(case)
    coefs = pd.read_csv(case / "coef.csv", index_col=0)["btergm_speedglm"]
    kwargs = dict(years=[9, 10], settings=SimulationSettings(nsim=20, seed=5, burnin=2000, interval=200))
    ours = gof(coefs, panel, formula=REFERENCE_FORMULA, rgraph_seed=1, **kwargs)
    again = gof(coefs, panel, formula=REFERENCE_FORMULA, rgraph_seed=1, **kwargs)
    compat = gof(coefs, panel, formula=REFERENCE_FORMULA, btergm_compatible=True, tie_prediction=False, **kwargs)
    for name in ("degree", "esp", "dsp", "geodesic"):
        pd.testing.assert_frame_equal(ours.tables[name], again.tables[name])
        assert ours.raw_sim[name].shape[1] == 40 and ours.raw_obs[name].shape[1] == 2
    obs10 = panel.network("nets", 10)
    np.testing.assert_array_equal(ours.raw_obs["dsp"][:, 1], dsp_distribution(obs10))
    np.testing.assert_array_equal(compat.raw_obs["esp"][:, 1], 2 * esp_distribution(obs10))
    # simulated networks keep the ties that exist (memory coefficient ≫ 0): edge counts close to observed
    assert ours.tables["geodesic"].loc["1", "sim: mean"] == pytest.approx(
        ours.tables["geodesic"].loc["1", "obs"], rel=0.2
    )
    assert list(compat.tables["degree"].columns)[0] == "obs: mean"
    assert ours.tie_prediction.auc_roc > 0.85 and 0.3 < ours.tie_prediction.auc_roc_rgraph < 0.7
    assert ours.standard_metrics["roc_auc"] == pytest.approx(ours.tie_prediction.auc_roc, abs=1e-12)
    paths = ours.plot(tmp_path / "gof")
    assert all(p.stat().st_size > 1000 for p in paths)
    assert "Dyad-wise shared partners" in ours.summary()


def test_gof_start_previous_and_argument_checks():
    case = REF / "case1"
    if not case.is_dir():
        pytest.skip(f"reference data not found at {case}")
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    panel = read_reference_panel(case)
    coefs = pd.read_csv(case / "coef.csv", index_col=0)["btergm_speedglm"]
    chain = dict(nsim=10, seed=2, burnin=50, interval=5)
    kwargs = dict(years=[10], tie_prediction=False)
    observed = gof(
        coefs, panel, formula=REFERENCE_FORMULA, **kwargs, settings=SimulationSettings(**chain, start="observed")
    )
    previous = gof(
        coefs, panel, formula=REFERENCE_FORMULA, **kwargs, settings=SimulationSettings(**chain, start="previous")
    )

    # a short chain stays near its start: year 10 has 236 ties, year 9 has 203
    def ties(result):  # ESP counts sum to the number of ties
        return result.raw_sim["esp"].sum(axis=0).mean()

    assert ties(observed) > ties(previous) + 15
    with pytest.raises(ValueError, match="start"):
        gof(coefs, panel, formula=REFERENCE_FORMULA, **kwargs, settings=SimulationSettings(**chain, start="elsewhere"))
    with pytest.raises(ValueError, match="needs a directed panel"):  # directed panels: test_gof_directed.py
        gof(
            coefs,
            panel,
            formula=REFERENCE_FORMULA,
            statistics=("idegree",),
            **kwargs,
            settings=SimulationSettings(**chain),
        )
