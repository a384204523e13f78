"""Every publication figure: format by extension, journal size, one-line titles, legends clear of the data.

Figures are built on btergm's reference case1 (skipped without the shared data) with small
simulation settings; :mod:`figure_checks` holds the checks.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from figure_checks import check_figure, check_file, check_layout
from matplotlib.figure import Figure

from customsnet.modeling.evaluation.plots import (
    coefficient_figure,
    coefficient_table,
    model_colors,
    save_figure,
)
from customsnet.modeling.simulation.settings import SimulationSettings

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "btergm"
FORMULA_M2 = 'nets ~ edges + edgecov(cov) + absdiff("x")'


@pytest.fixture(scope="module")
def case1():
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    d = REF / "case1"
    if not d.is_dir():
        pytest.skip(f"reference data not found at {d}")
    return read_reference_panel(d), REFERENCE_FORMULA


@pytest.fixture(scope="module")
def two_fits(case1):
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.estimation.fit import fit_tergm

    panel, formula = case1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # memory separation warnings are expected on case1
        return {
            "Model 2": fit_tergm(build_design(panel, FORMULA_M2), estimator="mple", bootstrap=20, seed=2),
            "Model 3": fit_tergm(build_design(panel, formula), estimator="mple", bootstrap=20, seed=2),
            "Formation": fit_tergm(build_design(panel, formula), estimator="formation", bootstrap=20, seed=2),
        }


def _write_all(fig: Figure, base: Path) -> list[Path]:
    return [p for suffix in (".pdf", ".svg", ".png") for p in save_figure(fig, base.with_suffix(suffix))]


# --------------------------------------------------------------------------- writer and colours
def test_the_suffix_decides_the_format(tmp_path):
    fig = Figure(figsize=(3.5, 2.5))
    fig.add_subplot().plot([0, 1], [1, 0])
    for suffix in (".pdf", ".svg", ".png"):
        written = save_figure(fig, tmp_path / f"line{suffix}")
        assert written == [tmp_path / f"line{suffix}"]
        check_file(written[0])
    default = save_figure(fig, tmp_path / "sub" / "line")
    assert default == [tmp_path / "sub" / "line.png", tmp_path / "sub" / "line.pdf"]
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["line.pdf", "line.png"]


def test_study_models_keep_their_colour_whatever_else_is_drawn():
    alone = model_colors(["Model 2"])
    together = model_colors(["Model 1", "Model 2", "Model 3", "Formation", "other"])
    assert alone["Model 2"] == together["Model 2"]
    assert len(set(together.values())) == 5


def test_the_checks_catch_a_long_title_and_a_legend_on_the_data():
    fig = Figure(figsize=(3.5, 2.5))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], label="line")
    ax.set_title("line one\nline two")
    with pytest.raises(AssertionError, match="several lines"):
        check_layout(fig)
    ax.set_title("short")
    ax.legend(loc="center")
    with pytest.raises(AssertionError, match="overlaps"):
        check_layout(fig)


# --------------------------------------------------------------------------- Figure 7
def test_coefficient_table_puts_the_formation_intercept_in_the_edges_minus_memory_row(two_fits):
    table = coefficient_table(two_fits)
    by = table.set_index(["model", "term"])
    assert ("Formation", "edges") not in by.index
    assert by.loc[("Formation", "edges - edgecov.memory[[i]]"), "estimate"] == two_fits["Formation"].params["edges"]
    assert np.isnan(by.loc[("Model 3", "edges"), "estimate"])
    assert ("Model 2", "edgecov.memory[[i]]") not in by.index


def test_coefficient_plot(two_fits, tmp_path):
    fig = coefficient_figure(two_fits, truth={"gwesp.fixed.0.5": 0.3})
    check_figure(fig, _write_all(fig, tmp_path / "coef"))
    ax = fig.axes[0]
    colors = model_colors(list(two_fits))
    filled = [ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_markerfacecolor() != "white"]
    hollow = [ln for ln in ax.lines if ln.get_marker() == "o" and ln.get_markerfacecolor() == "white"]
    # gwdegree's interval covers 0 in case1 (hollow); gwesp's does not (filled)
    assert any(len(ln.get_xdata()) for ln in hollow) and any(len(ln.get_xdata()) for ln in filled)
    assert {ln.get_color() for ln in filled} <= set(colors.values())
    assert any(t.get_text() == "n/a" for t in ax.texts)  # non-identified estimates are labelled
    with pytest.raises(ValueError, match="at least one"):
        coefficient_figure({})


# --------------------------------------------------------------------------- Figures 8, A1
@pytest.fixture(scope="module")
def coefs(case1):
    return pd.read_csv(REF / "case1" / "coef.csv", index_col=0)["btergm_speedglm"]


def test_gof_models_side_by_side_with_an_unreachable_bin(case1, coefs, tmp_path):
    from customsnet.modeling.evaluation.gof import gof, gof_figure, plot_categories

    panel, formula = case1
    chain = SimulationSettings(nsim=8, seed=5, burnin=1000, interval=100)
    kwargs = {"years": [9, 10], "tie_prediction": False}
    results = {
        "Model 3": gof(coefs, panel, formula=formula, settings=chain, **kwargs),
        "Model 3, start t-1": gof(coefs, panel, formula=formula, settings=replace(chain, start="previous"), **kwargs),
    }
    fig = gof_figure(results)
    check_figure(fig, _write_all(fig, tmp_path / "gof"))
    labels, sim, obs = plot_categories(results["Model 3"], "geodesic")
    assert (
        labels[-1] == "unreachable" and len(labels) <= 16 and sim.shape == (len(labels), 8)
    )  # draws averaged over the 2 years
    assert np.isclose(obs.sum(), 1.0) and np.allclose(sim.sum(axis=0), 1.0)
    geo = fig.axes[3]
    assert geo.get_xticklabels()[-1].get_text() == "∞" and "unreachable" in geo.get_xlabel()


def test_roc_pr_compares_models_and_modes(case1, coefs, tmp_path):
    from customsnet.modeling.evaluation.predict import (
        predict_btergm,
        predict_honest,
        roc_pr_figure,
    )

    panel, formula = case1
    preds = [
        predict_btergm(
            coefs,
            panel,
            formula=formula,
            year=10,
            label="Model 3",
            settings=SimulationSettings(nsim=10, seed=3, burnin=500, interval=50),
        ),
        predict_honest(coefs, panel, formula=formula, year=10, method="conditional", label="Model 3"),
    ]
    for new_ties in (False, True):
        fig = roc_pr_figure(preds, new_ties=new_ties)
        check_figure(fig, _write_all(fig, tmp_path / f"roc{int(new_ties)}"))
    styles = {ln.get_linestyle() for ln in fig.axes[0].lines[:2]}
    assert styles == {"-", "--"}


# --------------------------------------------------------------------------- Figure 9
def test_predicted_probabilities_have_bootstrap_intervals(case1, tmp_path):
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.estimation.fit import fit_tergm
    from customsnet.modeling.evaluation.interpret import (
        dyad_structure,
        edgeprob,
        probability_by_degree,
        probability_by_shared_partners,
        probability_figure,
        with_bootstrap_intervals,
    )

    panel, formula = case1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_tergm(build_design(panel, formula), estimator="btergm", bootstrap=15, seed=1)
    design = build_design(panel, formula, compress=False, check=False)
    table = edgeprob(fit, design)
    structure = dyad_structure(table, panel, "nets", design)
    by_sp = with_bootstrap_intervals(probability_by_shared_partners, fit, table, structure, max_k=6)
    by_deg = with_bootstrap_intervals(probability_by_degree, fit, table, structure, max_k=15)
    plain = probability_by_shared_partners(fit, table, structure, max_k=6)
    np.testing.assert_array_equal(by_sp["probability"], plain["probability"])
    ok = by_sp["n_dyads"] > 20
    assert (by_sp.loc[ok, "lower"] <= by_sp.loc[ok, "probability"] + 1e-12).all()
    assert (by_sp.loc[ok, "probability"] <= by_sp.loc[ok, "upper"] + 1e-12).all()
    assert (by_sp.loc[ok, "upper"] > by_sp.loc[ok, "lower"]).all()
    fig = probability_figure([by_sp, by_deg])
    check_figure(fig, _write_all(fig, tmp_path / "prob"))
    from matplotlib.container import ErrorbarContainer

    assert any(isinstance(c, ErrorbarContainer) for c in fig.axes[0].containers)  # the 95% whiskers are drawn


# --------------------------------------------------------------------------- Figure A2, Table A5 figure
def test_rewiring_sensitivity_shows_mean_and_spread(case1, tmp_path):
    from customsnet.modeling.evaluation.sensitivity import rewiring_study, sensitivity_figure

    panel, _ = case1
    formula = "nets ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(cov)"
    study = rewiring_study(panel, formula, shares=[0.3, 0.7], reps=2, bootstrap=0, seed=1, terms="all")
    fig = sensitivity_figure(study)
    check_figure(fig, _write_all(fig, tmp_path / "sens"))
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "mean over repetitions" in labels and "±1 sd over repetitions" in labels


def test_time_trend_effects_one_model_per_covariate(case1, tmp_path):
    from customsnet.modeling.evaluation.timetrend import fit_timetrends

    panel, _ = case1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = fit_timetrends(panel, FORMULA_M2, ["cov", "x"], bootstrap=10, seed=1)
    assert list(study.fits) == ["cov", "x"]
    assert study.fits["cov"].names[-1] == "edgecov.timecov1.cov[[i]]"
    assert "edgecov.timecov1.cov[[i]]" not in study.fits["x"].names  # one trend per model
    fig = study.figure()
    check_figure(fig, _write_all(fig, tmp_path / "trend"))


# --------------------------------------------------------------------------- Figure 5
def test_hive_plots_are_legible(case1, tmp_path):
    from customsnet.study.analysis import hive_figure

    panel, _ = case1
    nodes = panel.nodes[panel.years[0]]
    regions = {lab: ("Europe", "Asia", "Africa", "Americas")[k % 4] for k, lab in enumerate(nodes)}
    fig = hive_figure(panel, regions, [panel.years[0], panel.years[4], panel.years[-1]], outcome="nets")
    check_figure(fig, _write_all(fig, tmp_path / "hive"))
    # the named parties' labels do not overlap each other
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    for ax in fig.axes:
        # the text itself, not its leader line (Text's extent, not Annotation's)
        boxes = [Text.get_window_extent(t, canvas.get_renderer()) for t in ax.texts if t.get_text()]
        for a in range(len(boxes)):
            for b in range(a + 1, len(boxes)):
                assert not boxes[a].overlaps(boxes[b])
