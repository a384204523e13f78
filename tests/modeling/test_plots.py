"""Coefficient plot and the PNG + SVG writer."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from customsnet.modeling.plots import coefficient_plot, coefficient_table, save_figure

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "btergm"


@pytest.fixture(scope="module")
def two_fits():
    from customsnet.modeling.build import build_design
    from customsnet.modeling.fit import fit_tergm
    from customsnet.modeling.reference import REFERENCE_FORMULA, read_reference_panel

    d = REF / "case1"
    if not d.is_dir():
        pytest.skip(f"reference data not found at {d}")
    design = build_design(read_reference_panel(d), REFERENCE_FORMULA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # memory separation warnings are expected on case1
        return {
            "mple": fit_tergm(design, estimator="mple", bootstrap=20, seed=2),
            "formation": fit_tergm(design, estimator="formation", bootstrap=20, seed=2),
        }


def test_save_figure_writes_png_and_svg(tmp_path):
    fig = Figure()
    fig.add_subplot().plot([0, 1], [1, 0])
    written = save_figure(fig, tmp_path / "sub" / "line.pdf")
    assert written == [tmp_path / "sub" / "line.png", tmp_path / "sub" / "line.svg"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in written[1].read_bytes()[:2000]


def test_coefficient_table_aligns_models(two_fits):
    table = coefficient_table(two_fits, terms=["gwesp.fixed.0.5", "edges", "edgecov.memory[[i]]"])
    assert list(table["term"].cat.categories) == ["gwesp.fixed.0.5", "edges", "edgecov.memory[[i]]"]
    by = table.set_index(["model", "term"])
    # the formation model has no memory term; in the full MPLE edges and memory are not identified
    assert ("formation", "edgecov.memory[[i]]") not in by.index
    assert np.isnan(by.loc[("mple", "edges"), "estimate"])
    assert by.loc[("mple", "gwesp.fixed.0.5"), "estimate"] == two_fits["mple"].params["gwesp.fixed.0.5"]
    assert by.loc[("formation", "edges"), "estimate"] == two_fits["formation"].params["edges"]
    lo, hi = by.loc[("mple", "gwesp.fixed.0.5"), ["lower", "upper"]]
    assert lo < by.loc[("mple", "gwesp.fixed.0.5"), "estimate"] < hi


def test_coefficient_plot_single_and_side_by_side(tmp_path, two_fits):
    one = coefficient_plot(two_fits["mple"], tmp_path / "one")
    both = coefficient_plot(two_fits, tmp_path / "both", title="case1")
    for path in one + both:
        assert path.exists() and path.stat().st_size > 5000
    assert b"n/a" in both[1].read_bytes()  # non-identified estimates are labelled, not silently dropped
    with pytest.raises(ValueError, match="at least one"):
        coefficient_plot({}, tmp_path / "none")
