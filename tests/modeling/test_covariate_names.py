"""Names in formulas resolve by the documented rules: exact, alias, case; networks are refused."""

from __future__ import annotations

import numpy as np
import pytest

from customsnet.modeling.panel.panel import Panel, PanelError
from customsnet.modeling.terms.covariate_names import CovariateNameError, resolve_names


def study_like_panel() -> Panel:
    """The exported panel's naming: CMAA/MLAT networks, lagged covariates mlat/fta/trade, attributes."""
    rng = np.random.default_rng(1)
    years, n = [2000, 2001, 2002], 6
    nodes = {y: np.array([f"C{i}" for i in range(n)]) for y in years}

    def sym(p):
        m = np.triu((rng.random((n, n)) < p).astype(float), 1)
        return m + m.T

    import scipy.sparse as sp

    return Panel(
        years=years,
        nodes=nodes,
        networks={
            "CMAA": {y: sp.csr_matrix(sym(0.4)) for y in years},
            "MLAT": {y: sp.csr_matrix(sym(0.3)) for y in years},
        },
        dyad_covs={name: {y: sym(0.5) for y in years} for name in ("mlat", "fta", "trade")},
        node_attrs={"polyarchy": {y: rng.random(n) for y in years}},
    )


def test_exact_names_are_kept():
    formula, renames = resolve_names("CMAA ~ edges + edgecov(mlat) + absdiff('polyarchy')", study_like_panel())
    assert renames == {} and str(formula) == 'CMAA ~ edges + edgecov(mlat) + absdiff("polyarchy")'


def test_case_and_study_aliases_resolve():
    formula, renames = resolve_names(
        "cmaa ~ edges + edgecov(fta_wto) + edgecov(TRADEFLOW_BACI) + edgecov(Trade) + absdiff('v2x_polyarchy')",
        study_like_panel().subset_years([2000, 2001, 2002]),
        {"agreements_lag": "mlat"},
    )
    assert renames == {
        "cmaa": "CMAA",
        "fta_wto": "fta",
        "TRADEFLOW_BACI": "trade",
        "Trade": "trade",
        "v2x_polyarchy": "polyarchy",
    }
    assert str(formula).startswith("CMAA ~ edges + edgecov(fta) + edgecov(trade)")
    formula, _ = resolve_names("CMAA ~ edges + edgecov(agreements_lag)", study_like_panel(), {"agreements_lag": "mlat"})
    assert formula.dyad_covariates == ("mlat",)


def test_a_network_inside_edgecov_is_an_error_naming_the_lagged_covariate():
    with pytest.raises(
        CovariateNameError,
        match=r"edgecov\(MLAT\) names the network MLAT of the same year t.*"
        r"Write edgecov\(mlat\)",
    ):
        resolve_names("CMAA ~ edges + edgecov(MLAT)", study_like_panel())
    with pytest.raises(CovariateNameError, match=r"names the network CMAA, not a dyadic covariate"):
        resolve_names("CMAA ~ edges + edgecov(cmaa)", study_like_panel())


def test_unknown_names_list_the_closest():
    with pytest.raises(CovariateNameError, match=r"no dyadic covariate 'trad' .*closest: trade"):
        resolve_names("CMAA ~ edges + edgecov(trad)", study_like_panel())
    with pytest.raises(CovariateNameError, match=r"no network 'FTA'"):
        resolve_names("FTA ~ edges", study_like_panel())


def test_the_panel_never_hands_out_a_same_year_network_as_a_covariate():
    with pytest.raises(PanelError, match="never used as a covariate"):
        study_like_panel().dyad_cov("MLAT", 2001)
