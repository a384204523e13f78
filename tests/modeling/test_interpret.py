"""edgeprob / interpret against R's btergm output (reference case1 and case1_dissolve)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customsnet.modeling.design.design import Design, StepDesign
from customsnet.modeling.evaluation.interpret import (
    InterpretError,
    binary_covariate_effect,
    dyad_structure,
    edgeprob,
    plot_probability_bars,
    probability_by_degree,
    probability_by_shared_partners,
    tie_probability,
)

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "btergm"
CASES = ["case1", "case1_dissolve"]


def case_dir(case: str) -> Path:
    d = REF / case
    if not d.is_dir():
        pytest.skip(f"reference data not found at {d}")
    return d


def btergm_coefs(case: str) -> pd.Series:
    return pd.read_csv(case_dir(case) / "coef.csv", index_col=0)["btergm_speedglm"]


def panel_and_design(case: str):
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    panel = read_reference_panel(case_dir(case))
    return panel, build_design(panel, REFERENCE_FORMULA, compress=False)


def design_from_r_rows(case: str, names: list[str]) -> Design:
    """A Design holding R's own change statistics (mple_design.csv), independent of the term code."""
    rows = pd.read_csv(case_dir(case) / "mple_design.csv")
    stats = rows.columns[5:]
    n = int(max(rows["tail"].max(), rows["head"].max()))
    steps = []
    for year, block in rows.groupby("year", sort=True):
        steps.append(
            StepDesign(
                year=int(year),
                X=block[stats].to_numpy(dtype=np.float64),
                y=block["y"].to_numpy(dtype=np.float64),
                w=np.ones(len(block)),
                nodes=np.array([str(k) for k in range(1, n + 1)]),
                tail=block["tail"].to_numpy() - 1,
                head=block["head"].to_numpy() - 1,
            )
        )
    return Design(names=names, steps=steps)


@pytest.mark.parametrize("case", CASES)
def test_edgeprob_reproduces_btergm(case):
    _, design = panel_and_design(case)
    ref = pd.read_csv(case_dir(case) / "edgeprob.csv")
    table = edgeprob(btergm_coefs(case), design)
    assert len(table) == len(ref)
    np.testing.assert_array_equal(table[["tie", "i", "j", "t"]].to_numpy(), ref[["tie", "i", "j", "t"]].to_numpy())
    np.testing.assert_array_equal(table["i.name"].to_numpy(), ref["i.name"].astype(str).to_numpy())
    np.testing.assert_allclose(table[design.names].to_numpy(), ref[design.names].to_numpy(), atol=1e-12)
    np.testing.assert_allclose(table["probability"], ref["probability"], rtol=0, atol=1e-8)
    assert table["year"].min() == 2  # step 1 is calendar year 2 (year 1 only feeds memory)


@pytest.mark.parametrize("case", CASES)
def test_edgeprob_from_r_change_statistics(case):
    coefs = btergm_coefs(case)
    design = design_from_r_rows(case, list(coefs.index))
    ref = pd.read_csv(case_dir(case) / "edgeprob.csv")
    table = edgeprob(coefs.to_numpy(), design)
    np.testing.assert_allclose(table["probability"], ref["probability"], rtol=0, atol=1e-8)


def test_tie_probability_equals_edgeprob():
    panel, design = panel_and_design("case1")
    coefs = btergm_coefs("case1")
    table = edgeprob(coefs, design)
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA

    rng = np.random.default_rng(0)
    picks = np.r_[rng.choice(np.flatnonzero(table["tie"] == 1), 4), rng.choice(np.flatnonzero(table["tie"] == 0), 4)]
    for k in picks:
        row = table.iloc[k]
        p = tie_probability(
            coefs, panel, formula=REFERENCE_FORMULA, year=int(row["year"]), i=row["i.name"], j=row["j.name"]
        )
        assert p == pytest.approx(row["probability"], abs=1e-12)


def test_infinite_coefficients_are_dropped_with_warning():
    _, design = panel_and_design("case1")
    coefs = btergm_coefs("case1")
    with_inf = coefs.copy()
    with_inf["absdiff.x"] = -np.inf
    without = coefs.copy()
    without["absdiff.x"] = 0.0
    with pytest.warns(UserWarning, match="absdiff.x"):
        table = edgeprob(with_inf, design)
    np.testing.assert_allclose(table["probability"], edgeprob(without, design)["probability"], atol=0)


def test_edgeprob_refuses_compressed_design_and_nan_coefficients():
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    panel = read_reference_panel(case_dir("case1"))
    compressed = build_design(panel, REFERENCE_FORMULA, compress=True)
    with pytest.raises(InterpretError, match="uncompressed"):
        edgeprob(btergm_coefs("case1"), compressed)
    nan = btergm_coefs("case1").copy()
    nan["edges"] = np.nan
    with pytest.raises(InterpretError, match="not identified"):
        edgeprob(nan, compressed)


def test_empirical_averages_by_shared_partners_and_degree():
    panel, design = panel_and_design("case1")
    coefs = btergm_coefs("case1")
    table = edgeprob(coefs, design)
    structure = dyad_structure(table, panel, "nets", design)
    # independent recount for one year with dense numpy
    year = 6
    rows = table[table["year"] == year]
    a = panel.network("nets", year).toarray()
    i, j = rows["i"].to_numpy() - 1, rows["j"].to_numpy() - 1
    np.testing.assert_array_equal(structure.loc[rows.index, "shared_partners"], (a @ a)[i, j])
    np.testing.assert_array_equal(structure.loc[rows.index, "degree_i"], a.sum(axis=1)[i] - a[i, j])
    by_sp = probability_by_shared_partners(coefs, table, structure)
    expected = table.groupby(structure["shared_partners"])["probability"].agg(["mean", "size"])
    np.testing.assert_allclose(by_sp["probability"], expected["mean"].to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(by_sp["n_dyads"], expected["size"].to_numpy())
    assert (by_sp["kind"] == "empirical").all()
    per_year = probability_by_shared_partners(coefs, table, structure, per_year=True)
    year6 = per_year[per_year["year"] == year]
    expected6 = rows.groupby(structure.loc[rows.index, "shared_partners"])["probability"].mean()
    np.testing.assert_allclose(year6["probability"], expected6.to_numpy(), rtol=1e-12)
    assert per_year["n_dyads"].sum() == len(table)
    by_deg = probability_by_degree(coefs, table, structure, measure="sum")
    total = structure["degree_i"] + structure["degree_j"]
    expected = table.groupby(total)["probability"].mean()
    np.testing.assert_allclose(by_deg["probability"], expected.to_numpy(), rtol=1e-12)


def test_counterfactual_averages_substitute_the_gw_change_statistic():
    panel, design = panel_and_design("case1")
    coefs = btergm_coefs("case1")
    table = edgeprob(coefs, design)
    structure = dyad_structure(table, panel, "nets", design)
    cf = probability_by_shared_partners(coefs, table, structure, kind="counterfactual", max_k=4)
    X = table[list(coefs.index)].to_numpy()
    theta = coefs.to_numpy()
    for k in (0, 3):
        Xk = X.copy()
        Xk[:, 1] = math.exp(0.5) * (1 - (1 - math.exp(-0.5)) ** k)
        assert cf.loc[k, "probability"] == pytest.approx(np.mean(1 / (1 + np.exp(-Xk @ theta))), rel=1e-12)
    assert (np.diff(cf["probability"]) > 0).all()  # positive gwesp coefficient
    cf_deg = probability_by_degree(coefs, table, structure, kind="counterfactual", max_k=3)
    Xk = X.copy()
    Xk[:, 2] = 2 * (1 - math.exp(-0.1)) ** 2
    assert cf_deg.loc[2, "probability"] == pytest.approx(np.mean(1 / (1 + np.exp(-Xk @ theta))), rel=1e-12)


def test_binary_covariate_effect_by_hand():
    table = pd.DataFrame(
        {"tie": [0, 1, 0], "edges": [1.0, 1.0, 1.0], "mlat": [0.0, 1.0, 0.0], "probability": [0.1, 0.2, 0.3]}
    )
    out = binary_covariate_effect({"edges": -1.0, "mlat": 2.0}, table, "mlat")
    assert out["p_high"] == pytest.approx(1 / (1 + math.exp(-1.0)))
    assert out["p_low"] == pytest.approx(1 / (1 + math.exp(1.0)))
    assert out["difference"] == pytest.approx(out["p_high"] - out["p_low"])
    with pytest.raises(InterpretError, match="no coefficient"):
        binary_covariate_effect({"edges": -1.0, "mlat": 2.0}, table, "trade")


def test_bar_chart_written_as_png_and_pdf(tmp_path):
    frame_a = pd.DataFrame(
        {"shared_partners": [0, 1, 2], "probability": [0.1, 0.2, 0.4], "n_dyads": [5, 3, 1], "kind": "empirical"}
    )
    frame_b = pd.DataFrame(
        {
            "degree": [0, 1],
            "probability": [0.3, 0.2],
            "n_dyads": [9, 9],
            "kind": "counterfactual",
            "measure": "both endpoints",
        }
    )
    paths = plot_probability_bars([frame_a, frame_b], tmp_path / "probabilities", title="case1")
    assert [p.suffix for p in paths] == [".png", ".pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert paths[1].read_bytes()[:5] == b"%PDF-"
    svg = plot_probability_bars([frame_a, frame_b], tmp_path / "probabilities.svg")[0]
    assert "counterfactual" in svg.read_text()  # panels say which average they show
