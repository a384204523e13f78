"""Separable temporal model (tergm's STERGM) by conditional MPLE: closed forms and the ergmx/tergm reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from customsnet.modeling.estimation.separable import (
    SeparableError,
    fit_separable,
    separable_design,
    split_separable,
)
from customsnet.modeling.panel.panel import Panel

CASE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "ergmx" / "tergm_cmle_case1_dissolve"


def two_year_panel(seed: int = 0, n: int = 30) -> Panel:
    rng = np.random.default_rng(seed)
    a = np.triu(rng.random((n, n)) < 0.15, 1)
    b = np.triu(np.where(a, rng.random((n, n)) < 0.7, rng.random((n, n)) < 0.05), 1)
    labels = np.array([str(i) for i in range(n)])
    nets = {1: sp.csr_matrix((a | a.T).astype(float)), 2: sp.csr_matrix((b | b.T).astype(float))}
    return Panel(years=[1, 2], nodes={1: labels, 2: labels}, networks={"nets": nets})


def logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def test_edges_only_parts_are_the_closed_form_logits():
    panel = two_year_panel()
    a = sp.triu(panel.networks["nets"][1], 1).toarray() > 0
    b = sp.triu(panel.networks["nets"][2], 1).toarray() > 0
    upper = np.triu(np.ones_like(a, dtype=bool), 1)
    formed = (b & ~a & upper).sum() / (~a & upper).sum()
    kept = (b & a).sum() / a.sum()
    fit = fit_separable(panel, "nets ~ Form(~edges) + Persist(~edges)")
    assert fit.names == ["Form(1)~edges", "Persist(1)~edges"]
    np.testing.assert_allclose(fit.estimates, [logit(formed), logit(kept)], rtol=1e-9)
    diss = fit_separable(panel, "nets ~ Form(~edges) + Diss(~edges)")
    np.testing.assert_allclose(diss.estimates[1], -logit(kept), rtol=1e-9)


def test_formula_errors_name_the_problem():
    with pytest.raises(SeparableError, match="Form"):
        split_separable("nets ~ edges + Persist(~edges)")
    with pytest.raises(SeparableError, match="temporal"):
        split_separable('nets ~ Form(~edges + memory(type = "stability"))')
    with pytest.raises(SeparableError, match="at most one"):
        split_separable("nets ~ Persist(~edges) + Diss(~edges)")


def test_case1_dissolve_cmple_matches_ergmx():
    if not CASE.exists():
        pytest.skip("ergmx reference case tergm_cmle_case1_dissolve not available")
    from customsnet.modeling.panel.reference import read_reference_panel

    panel = read_reference_panel(CASE)
    formula = "nets ~ Form(~edges + gwesp(0.5, fixed = TRUE)) + Persist(~edges)"
    design = separable_design(panel, formula)
    X, y, _ = design.stacked()
    form_rows, persist_rows = X[:, 0] != 0, X[:, 2] != 0
    # README: 15,219 dyad-steps untied at t-1 with 148 formations; 632 of 711 prior ties persisted
    assert (form_rows.sum(), y[form_rows].sum(), persist_rows.sum(), y[persist_rows].sum()) == (15219, 148, 711, 632)
    fit = fit_separable(panel, formula)
    np.testing.assert_allclose(fit.estimates, [-4.809658810, 0.281823358, 2.079441542], atol=2e-9)
    assert abs(fit.estimates[2] - np.log(8)) < 1e-9


def test_tergm_and_cli_fit_a_separable_formula(tmp_path):
    from click.testing import CliRunner

    from customsnet.cli import main
    from customsnet.modeling.estimation.model import TERGM
    from customsnet.modeling.results import FitResult

    panel = two_year_panel(seed=2)
    formula = "nets ~ Form(~edges + gwesp(0.5, fixed = TRUE)) + Persist(~edges)"
    direct = fit_separable(panel, formula)
    model = TERGM(formula, R=0)
    np.testing.assert_allclose(model.fit(panel).estimates, direct.estimates, rtol=1e-12)
    path = panel.save(tmp_path / "panel.npz")
    res = CliRunner().invoke(
        main,
        [
            "--quiet",
            "fit",
            "--panel",
            str(path),
            "--formula",
            formula,
            "--bootstrap",
            "0",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert res.exit_code == 0, res.output
    np.testing.assert_allclose(FitResult.load(tmp_path / "out" / "fit.json").estimates, direct.estimates, rtol=1e-12)


def test_cmle_by_mcmc_of_a_dyad_independent_separable_model_is_the_cmple():
    """Form(~edges) + Persist(~edges) is dyad independent given t-1: its CMLE is the closed-form CMPLE."""
    import warnings

    from customsnet.modeling.estimation.mcmle import MCMLEControl, fit_separable_mcmle

    panel = two_year_panel(seed=4)
    formula = "nets ~ Form(~edges) + Persist(~edges)"
    exact = fit_separable(panel, formula).estimates
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_separable_mcmle(
            panel, formula, control=MCMLEControl(samplesize=1024, burnin=4000, interval=300), seed=2
        )
    assert fit.names == ["Form(1)~edges", "Persist(1)~edges"] and fit.converged
    mcse = fit.mcmc_std_errors.to_numpy()
    assert np.all(np.abs(fit.estimates - exact) <= 3.5 * mcse), (fit.estimates - exact) / mcse


@pytest.mark.slow
def test_case1_dissolve_cmle_by_mcmc_matches_ergmx():
    if not CASE.exists():
        pytest.skip("ergmx reference case tergm_cmle_case1_dissolve not available")
    import warnings

    import pandas as pd

    from customsnet.modeling.estimation.mcmle import MCMLEControl, fit_separable_mcmle
    from customsnet.modeling.panel.reference import read_reference_panel

    panel = read_reference_panel(CASE)
    formula = "nets ~ Form(~edges + gwesp(0.5, fixed = TRUE)) + Persist(~edges)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_separable_mcmle(
            panel, formula, control=MCMLEControl(samplesize=1024, burnin=16384, interval=1024), seed=1
        )
    ref = pd.read_csv(CASE / "coef_seed_summary.csv")
    ref = ref[ref["estimator"] == "CMLE_Persist"].set_index("term").loc[fit.names]
    mcse = fit.mcmc_std_errors.to_numpy()
    combined = np.sqrt(mcse**2 + ref["mean_reported_mcmc_std_error"].to_numpy() ** 2)
    print("estimate", fit.estimates, "reference", ref["mean"].to_numpy(), "SE", fit.std_errors.to_numpy())
    assert np.all(np.abs(fit.estimates - ref["mean"].to_numpy()) <= 4 * combined)
    np.testing.assert_allclose(fit.std_errors.to_numpy(), ref["mean_reported_std_error"].to_numpy(), rtol=0.2)
