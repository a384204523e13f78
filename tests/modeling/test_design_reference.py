"""The design builder against R's own MPLE rows (``ergmMPLE`` dyad lists and btergm's stacked rows)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customsnet.modeling.design.build import build_design
from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel
from customsnet.modeling.terms.formula import parse_formula

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "btergm"
CASES = ["case1", "case1_dissolve"]


def case_dir(case: str) -> Path:
    path = REFERENCE / case
    if not path.is_dir():
        pytest.skip(f"reference data not found at {path}")
    return path


@pytest.fixture(scope="module", params=CASES)
def case(request):
    path = case_dir(request.param)
    panel = read_reference_panel(path)
    return path, panel


def test_reference_panel_matches_meta(case):
    path, panel = case
    meta = dict(line.split(": ", 1) for line in (path / "meta.txt").read_text().splitlines() if ": " in line)
    ties = [panel.networks["nets"][y].nnz // 2 for y in panel.years]
    assert ties == [int(v) for v in meta["ties"].split()]
    assert panel.years == list(range(1, int(meta["T"]) + 1))


def test_change_statistics_equal_ergmMPLE_dyadlist(case):
    path, panel = case
    design = build_design(panel, REFERENCE_FORMULA, compress=False)
    ref = pd.read_csv(path / "mple_design.csv")
    stat_cols = list(ref.columns[5:])
    assert len(stat_cols) == len(design.names)
    assert design.years == sorted(ref["year"].unique().tolist())
    for k, step in enumerate(design.steps, start=1):
        r = ref[ref["step"] == k]
        assert (r["year"] == step.year).all()
        # ergmMPLE's dyad list order: by tail then head, 1-based, tail < head
        np.testing.assert_array_equal(step.tail + 1, r["tail"].to_numpy())
        np.testing.assert_array_equal(step.head + 1, r["head"].to_numpy())
        np.testing.assert_array_equal(step.y, r["y"].to_numpy(dtype=float))
        # columns compared by position: the file calls the covariate edgecov.cov_l[[i]]
        expected = r[stat_cols].to_numpy(dtype=float)
        np.testing.assert_allclose(step.X, expected, rtol=0, atol=1e-12)
        # all but gwesp are computed exactly as ergm does, so they agree bit for bit
        exact = [k for k, name in enumerate(design.names) if not name.startswith("gwesp")]
        np.testing.assert_array_equal(step.X[:, exact], expected[:, exact])


def _sorted_rows(rows: np.ndarray) -> np.ndarray:
    """Rows in a canonical order; the sort key is rounded so 1e-16 differences cannot reorder it."""
    order = np.lexsort(np.round(rows, 9).T[::-1])
    return rows[order]


def test_compressed_rows_equal_btergm_stacked_rows(case):
    path, panel = case
    design = build_design(panel, REFERENCE_FORMULA, compress=True)
    ref = pd.read_csv(path / "mple_matrix_compressed.csv")
    for k, step in enumerate(design.steps, start=1):
        r = ref[ref["step"] == k].drop(columns="step").to_numpy(dtype=float)  # y, weight, x...
        mine = np.column_stack([step.y, step.w, step.X])
        assert mine.shape == r.shape, f"step {k}: {mine.shape[0]} rows, btergm has {r.shape[0]}"
        np.testing.assert_allclose(_sorted_rows(mine), _sorted_rows(r), rtol=0, atol=1e-12)


def test_names_equal_btergm_coefficients(case):
    path, panel = case
    design = build_design(panel, REFERENCE_FORMULA)
    coef = pd.read_csv(path / "coef.csv")
    assert design.names == coef["term"].tolist()
    assert design.formula == str(parse_formula(REFERENCE_FORMULA))


def test_nobs_and_steps_match_btergm(case):
    path, panel = case
    meta = dict(line.split(": ", 1) for line in (path / "meta.txt").read_text().splitlines() if ": " in line)
    design = build_design(panel, REFERENCE_FORMULA)
    assert design.n_steps == int(meta["time_steps"])
    assert design.years == [int(v) for v in meta["modeled_years"].split()]
    assert design.nobs_btergm == int(meta["nobs"])


def test_lag_tie_follows_memory_column(case):
    """With stability memory, lag_tie is recoverable in both modes and equals (memory + 1) / 2."""
    _, panel = case
    for compress in (True, False):
        design = build_design(panel, REFERENCE_FORMULA, compress=compress)
        memory = design.names.index("edgecov.memory[[i]]")
        for step in design.steps:
            assert step.lag_tie is not None
            np.testing.assert_array_equal(step.lag_tie, (step.X[:, memory] + 1) / 2)


def test_big_case_builds_with_btergm_row_count():
    path = case_dir("big")
    panel = read_reference_panel(path)
    design = build_design(panel, REFERENCE_FORMULA)
    timing = dict(line.split(": ", 1) for line in (path / "timing.txt").read_text().splitlines() if ": " in line)
    assert design.n_dyads == int(timing["design_rows"])
    assert design.names == pd.read_csv(path / "coef.csv")["term"].tolist()


def test_step_inputs_and_statistics_agree_with_design_rows(case):
    """g(Y) of dyad-independent terms is the sum of their change statistics over the ties."""
    from customsnet.modeling.design.build import DesignError, step_inputs

    _, panel = case
    formula = parse_formula(REFERENCE_FORMULA)
    design = build_design(panel, formula, compress=False)
    dyad_independent = [0, 3, 4, 5]  # edges, edgecov, absdiff, memory
    for step in design.steps[::4]:
        inputs = step_inputs(panel, formula, step.year)
        np.testing.assert_array_equal(inputs.nodes, step.nodes)
        np.testing.assert_array_equal(formula.change_stats(inputs, step.tail, step.head), step.X)
        stats = formula.statistics(inputs)
        assert stats[0] == panel.networks["nets"][step.year].nnz // 2
        np.testing.assert_allclose(
            stats[dyad_independent], step.X[step.y == 1][:, dyad_independent].sum(axis=0), rtol=1e-12
        )
    with pytest.raises(DesignError, match="cannot be modeled"):
        step_inputs(panel, formula, panel.years[0])
