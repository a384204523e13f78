"""offset(term): fixed coefficients in the formula, the MPLE with an offset, structural zeros (-Inf)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.fit import EstimationError, fit_tergm
from customsnet.modeling.estimation.model import TERGM
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.results import FitResult
from customsnet.modeling.terms import EdgeCov, Offset
from customsnet.modeling.terms.formula import FormulaError, parse_formula
from customsnet.modeling.terms.offset import fixed_product

N, YEARS = 14, [2000, 2001, 2002, 2003]


def offset_panel(seed: int = 0, zeros: bool = True) -> Panel:
    """Undirected panel whose ties follow a logit in edges, nodecov(a) and 0.8 * x; no tie where z = 1."""
    rng = np.random.default_rng(seed)
    nets, xs, zs, attrs = {}, {}, {}, {}
    for y in YEARS:
        a = rng.normal(size=N)
        x = np.triu(rng.normal(size=(N, N)), 1)
        x = x + x.T
        z = np.triu((rng.random((N, N)) < 0.3).astype(float), 1)
        z = z + z.T
        eta = -1.0 + 0.4 * (a[:, None] + a[None, :]) + 0.8 * x
        tie = np.triu(rng.random((N, N)) < 1 / (1 + np.exp(-eta)), 1).astype(float)
        if zeros:
            tie[z == 1] = 0.0
        nets[y], xs[y], zs[y], attrs[y] = sp.csr_matrix(tie + tie.T), x, z, a
    return Panel(
        years=YEARS,
        nodes={y: np.array([f"n{k}" for k in range(N)]) for y in YEARS},
        networks={"net": nets},
        dyad_covs={"x": xs, "z": zs},
        node_attrs={"a": attrs},
    )


def newton_logit(X: np.ndarray, y: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Plain Newton for a logit with an offset (the hand-computed reference)."""
    beta = np.zeros(X.shape[1])
    for _ in range(100):
        mu = 1 / (1 + np.exp(-(X @ beta + offset)))
        step = np.linalg.solve(X.T @ (X * (mu * (1 - mu))[:, None]), X.T @ (y - mu))
        beta += step
        if np.abs(step).max() < 1e-13:
            break
    return beta


def dyad_rows(panel: Panel):
    """Every (year, i < j) dyad: edges, nodecov(a), x, z and the tie."""
    rows = []
    for year in YEARS:
        i, j = np.triu_indices(N, 1)
        a, x, z = panel.node_attr("a", year), panel.dyad_cov("x", year), panel.dyad_cov("z", year)
        tie = panel.network("net", year).toarray()[i, j]
        rows.append(np.column_stack([np.ones(len(i)), a[i] + a[j], x[i, j], z[i, j], tie]))
    return np.vstack(rows)


def test_offset_term_names_and_r_text():
    f = parse_formula("net ~ edges + offset(edgecov(x)) + offset(nodecov('a')) + offset(gwesp(0.5, fixed = TRUE))")
    assert f.coef_names(directed=False) == [
        "edges",
        "offset(edgecov.x[[i]])",
        "offset(nodecov.a)",
        "offset(gwesp.fixed.0.5)",
    ]
    assert str(f) == 'net ~ edges + offset(edgecov(x)) + offset(nodecov("a")) + offset(gwesp(0.5, fixed = TRUE))'
    assert f.terms[1] == Offset(EdgeCov("x")) and not f.terms[1].dependent and f.terms[3].dependent
    assert f.dyad_covariates == ("x",) and f.node_attributes == ("a",)
    for bad, message in (
        ("net ~ offset(offset(edges))", "cannot be nested"),
        ("net ~ offset(nosuchterm)", "unknown or unsupported term 'nosuchterm'"),
        ("net ~ offset(1)", "must be a model term"),
    ):
        with pytest.raises(FormulaError, match=message):
            parse_formula(bad)


def test_fixed_product_counts_zero_times_infinity_as_zero():
    X = np.array([[1.0, 0.0], [1.0, 2.0], [1.0, -1.0]])
    np.testing.assert_array_equal(fixed_product(X, np.array([0.5, -np.inf])), [0.5, -np.inf, np.inf])


def test_finite_offset_equals_hand_computed_logit_with_offset():
    panel = offset_panel(zeros=False)
    design = build_design(panel, "net ~ edges + nodecov('a') + offset(edgecov(x))")
    assert design.names == ["edges", "nodecov.a", "offset(edgecov.x[[i]])"]
    fit = fit_tergm(design, estimator="mple", bootstrap=5, seed=1, offset_coef=[0.8])
    rows = dyad_rows(panel)
    expected = newton_logit(rows[:, :2], rows[:, 4], 0.8 * rows[:, 2])
    np.testing.assert_allclose(fit.estimates[:2], expected, rtol=0, atol=1e-7)
    assert fit.estimates[2] == 0.8 and fit.status == ["ok", "ok", "fixed (offset)"]
    assert np.all(fit.boot_t[:, 2] == 0.8) and np.isfinite(fit.boot_t[:, :2]).all()
    assert fit.df_model == 2  # the offset is given, not estimated (ergm's AIC counts it out too)
    # a different fixed value gives a different fit (the offset is used, not ignored)
    other = fit_tergm(design, estimator="mple", bootstrap=0, offset_coef={"offset(edgecov.x[[i]])": 0.0})
    np.testing.assert_allclose(other.estimates[:2], newton_logit(rows[:, :2], rows[:, 4], 0 * rows[:, 2]), atol=1e-7)
    assert abs(other.estimates[1] - fit.estimates[1]) > 1e-3


def test_minus_infinity_offset_removes_structural_zeros():
    panel = offset_panel()
    design = build_design(panel, "net ~ edges + nodecov('a') + edgecov(x) + offset(edgecov(z))", compress=False)
    rows = dyad_rows(panel)
    free = rows[:, 3] == 0
    expected = newton_logit(rows[free][:, :3], rows[free][:, 4], np.zeros(int(free.sum())))
    for estimator in ("mple", "btergm"):
        fit = fit_tergm(design, estimator=estimator, bootstrap=3, seed=2, offset_coef=[-np.inf])
        np.testing.assert_allclose(fit.estimates[:3], expected, rtol=0, atol=1e-6)
        assert fit.names[3] == "offset(edgecov.z[[i]])" and fit.estimates[3] == -np.inf
        assert fit.status[3] == "fixed (offset)"
        n_zero = {str(y): int(np.triu(panel.dyad_cov("z", y), 1).sum()) for y in YEARS}
        assert fit.meta["structural_zeros"] == n_zero
        assert fit.nobs_dyads == len(rows) - sum(n_zero.values())
        assert fit.nobs_btergm == len(YEARS) * N * (N - 1) - 2 * sum(n_zero.values())
    table = fit.tidy()
    assert table.loc[table.term == "offset(edgecov.z[[i]])", "status"].item() == "fixed (offset)"


def test_offset_fit_survives_save_and_load(tmp_path):
    design = build_design(offset_panel(), "net ~ edges + offset(edgecov(z))")
    fit = fit_tergm(design, estimator="mple", bootstrap=2, seed=3, offset_coef=[-np.inf])
    json_path, _ = fit.save(tmp_path / "fit")
    again = FitResult.load(json_path)
    assert again.estimates[1] == -np.inf and again.status[1] == "fixed (offset)"
    np.testing.assert_allclose(again.estimates[0], fit.estimates[0])


def test_offset_errors_are_actionable():
    panel = offset_panel(zeros=False)
    design = build_design(panel, "net ~ edges + offset(edgecov(z))")
    with pytest.raises(EstimationError, match=r"offset terms \['offset\(edgecov.z\[\[i\]\]\)'\].*offset_coef"):
        fit_tergm(design, bootstrap=0)
    with pytest.raises(EstimationError, match="2 offset coefficient"):
        fit_tergm(design, bootstrap=0, offset_coef=[1.0, 2.0])
    with pytest.raises(EstimationError, match="observed ties on structural zeros"):
        fit_tergm(design, bootstrap=0, offset_coef=[-np.inf])  # this panel has ties where z = 1
    with pytest.raises(EstimationError, match="finite offsets .* need estimator='mple'"):
        fit_tergm(design, estimator="btergm", bootstrap=0, offset_coef=[0.5])
    plain = build_design(panel, "net ~ edges + edgecov(z)")
    with pytest.raises(EstimationError, match="no offset"):
        fit_tergm(plain, bootstrap=0, offset_coef=[0.5])


def test_model_api_and_simulation_respect_structural_zeros():
    from customsnet.modeling.simulation.simulate import simulation_inputs

    panel = offset_panel()
    formula = "net ~ edges + edgecov(x) + offset(edgecov(z))"
    fit = TERGM(formula, estimator="mple", R=0, offset_coef=[-np.inf]).fit(panel)
    ym = simulation_inputs(fit, panel, formula=formula, year=2003)
    z = panel.dyad_cov("z", 2003)
    off = ~np.eye(N, dtype=bool)
    assert np.all(np.isneginf(ym.model.dyad_logodds[(z == 1) & off]))
    assert np.all(np.isfinite(ym.model.dyad_logodds[(z == 0) & off]))
    i, j = np.triu_indices(N, 1)
    p = 1 / (1 + np.exp(-ym.conditional_logodds(ym.observed, i, j)))
    assert np.all(p[z[i, j] == 1] == 0) and np.all(p[z[i, j] == 0] > 0)


def test_sampler_never_ties_structural_zeros_with_a_dependence_term():
    from customsnet.modeling.simulation.simulate import simulate, simulation_inputs

    panel = offset_panel()
    formula = "net ~ edges + gwesp(0.5, fixed = TRUE) + offset(edgecov(z))"
    ym = simulation_inputs([-0.5, 0.3, -np.inf], panel, formula=formula, year=2003)
    res = simulate(ym.model, ym.observed, nsim=20, seed=4, burnin=2000, interval=200)
    z = panel.dyad_cov("z", 2003)
    total = sum(res.networks[1:], res.networks[0]).toarray()
    assert total.sum() > 0 and total[z == 1].sum() == 0
