"""Covariate x time models: formula construction, btergm names, the timecov column, effects over time."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from customsnet.modeling.evaluation.timetrend import (
    TimeTrendError,
    TrendTerm,
    absdiff_matrix,
    fit_timetrend,
    resolve_trends,
    timetrend_formula,
    trend_names,
    with_absdiff_covariates,
)
from customsnet.modeling.panel.panel import Panel, adjacency_from_edges

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "btergm"
BASE = 'nets ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(cov) + absdiff("x") + memory(type = "stability")'


def case1_panel():
    from customsnet.modeling.panel.reference import read_reference_panel

    d = REF / "case1"
    if not d.is_dir():
        pytest.skip(f"reference data not found at {d}")
    return read_reference_panel(d)


def tiny_panel() -> Panel:
    labels = np.array(["a", "b", "c"])
    net = adjacency_from_edges(labels, [("a", "b")])
    return Panel(
        years=[1, 2],
        nodes={1: labels, 2: labels},
        networks={"nets": {1: net, 2: net}},
        dyad_covs={"trade": {1: np.ones((3, 3)), 2: np.ones((3, 3))}},
        node_attrs={"polyarchy": {1: np.array([0.1, 0.5, np.nan]), 2: np.array([0.2, 0.4, 0.9])}},
    )


def test_formula_keeps_main_effects_and_numbers_timecov_terms():
    trends = [TrendTerm("cov", "cov"), TrendTerm("x", "absdiff_x", derived_from="x"), TrendTerm("dist", "dist")]
    model = timetrend_formula(BASE + " + timecov()", trends)
    assert str(model) == (
        'nets ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(cov) + absdiff("x") + memory(type = "stability") '
        "+ timecov() + edgecov(dist) + timecov(x = cov) + timecov(x = absdiff_x) + timecov(x = dist)"
    )
    names = model.coef_names(directed=False)
    # the existing timecov() is timecov1, so the added ones are numbered from 2 (btergm's rule)
    assert names[-3:] == ["edgecov.timecov2.cov[[i]]", "edgecov.timecov3.absdiff_x[[i]]", "edgecov.timecov4.dist[[i]]"]
    assert trend_names(model, trends[0], False) == ("edgecov.cov[[i]]", "edgecov.timecov2.cov[[i]]")
    assert trend_names(model, trends[1], False) == ("absdiff.x", "edgecov.timecov3.absdiff_x[[i]]")
    assert trend_names(model, trends[2], False) == ("edgecov.dist[[i]]", "edgecov.timecov4.dist[[i]]")


def test_formula_adds_derived_main_effect_without_absdiff_and_reuses_existing_timecov():
    trend = TrendTerm("x", "absdiff_x", derived_from="x")
    model = timetrend_formula("nets ~ edges + absdiff('x', pow = 2) + timecov(x = absdiff_x)", [trend])
    # absdiff to the power 2 is not the same dyadic covariate, so edgecov(absdiff_x) is added
    assert str(model) == 'nets ~ edges + absdiff("x", pow = 2) + timecov(x = absdiff_x) + edgecov(absdiff_x)'


def test_resolve_trends_and_derived_absdiff():
    panel = tiny_panel()
    trends = resolve_trends(panel, ["trade", "polyarchy"])
    assert trends == [TrendTerm("trade", "trade"), TrendTerm("polyarchy", "absdiff_polyarchy", "polyarchy")]
    derived = with_absdiff_covariates(panel, ["polyarchy"])
    m1 = derived.dyad_cov("absdiff_polyarchy", 1)
    assert m1[0, 1] == pytest.approx(0.4) and m1[1, 0] == pytest.approx(0.4) and m1[0, 0] == 0
    assert np.isnan(m1[0, 2]) and np.isnan(m1[2, 1])  # a missing attribute stays missing
    assert derived.dyad_cov("absdiff_polyarchy", 2)[1, 2] == pytest.approx(0.5)
    assert "absdiff_polyarchy" not in panel.dyad_covs  # the input panel is untouched
    np.testing.assert_array_equal(absdiff_matrix(np.array([1.0, 3.0])), [[0, 2], [2, 0]])
    with pytest.raises(TimeTrendError, match="neither"):
        resolve_trends(panel, ["gdp"])
    with pytest.raises(TimeTrendError, match="letters, digits"):
        resolve_trends(panel, ["trade.flow"])


def test_case1_timecov_column_is_cov_times_calendar_index():
    from customsnet.modeling.design.build import build_design

    panel = case1_panel()
    trends = resolve_trends(panel, ["cov", "x"])
    model = timetrend_formula(BASE, trends)
    data = with_absdiff_covariates(panel, ["x"])
    design = build_design(data, model, compress=False)
    names = design.names
    c_cov, c_int = names.index("edgecov.cov[[i]]"), names.index("edgecov.timecov1.cov[[i]]")
    c_abs, c_int2 = names.index("absdiff.x"), names.index("edgecov.timecov2.absdiff_x[[i]]")
    assert design.years == list(range(2, 11))  # memory trims year 1
    for step in design.steps:
        s = panel.years.index(step.year) + 1  # btergm's calendar index in the untrimmed list
        cov = panel.dyad_cov("cov", step.year)[step.tail, step.head]
        np.testing.assert_array_equal(step.X[:, c_cov], cov)
        np.testing.assert_array_equal(step.X[:, c_int], cov * s)
        np.testing.assert_allclose(step.X[:, c_int2], step.X[:, c_abs] * s, rtol=0, atol=1e-12)


def test_case1_fit_table_and_effect_over_time(tmp_path):
    panel = case1_panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # memory separation warnings are expected on this panel
        result = fit_timetrend(panel, BASE, ["cov", "x"], estimator="mple", bootstrap=30, seed=1)
    table = result.table()
    assert table["term"].tolist() == [
        "edgecov.cov[[i]]",
        "edgecov.timecov1.cov[[i]]",
        "absdiff.x",
        "edgecov.timecov2.absdiff_x[[i]]",
    ]
    assert table["effect"].tolist() == ["main", "x time"] * 2
    assert np.isfinite(table[["estimate", "lower", "upper"]].to_numpy()).all()
    assert (table["lower"] <= table["estimate"]).all() and (table["estimate"] <= table["upper"]).all()
    params = result.fit.params
    over = result.effect_over_time("cov")
    assert over["year"].tolist() == list(range(2, 11)) and over["time_value"].tolist() == list(range(2, 11))
    np.testing.assert_allclose(
        over["effect"], params["edgecov.cov[[i]]"] + params["edgecov.timecov1.cov[[i]]"] * over["time_value"]
    )
    assert (over["lower"] < over["effect"]).all() and (over["effect"] < over["upper"]).all()
    written = result.plot(tmp_path / "trend")
    assert [p.suffix for p in written] == [".png", ".pdf"] and all(p.stat().st_size > 5000 for p in written)


def test_fit_timetrend_needs_covariates():
    with pytest.raises(TimeTrendError, match="at least one"):
        fit_timetrend(tiny_panel(), "nets ~ edges", [])
