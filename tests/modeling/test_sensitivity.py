"""Rewiring sensitivity: invariants of the rewired panels, and the study on reference case1."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from customsnet.modeling.evaluation.sensitivity import (
    RewiringError,
    network_term_names,
    plot_sensitivity,
    rewire_panel,
    rewiring_study,
    summarize_study,
    tie_spells,
)
from customsnet.modeling.panel.panel import Panel, adjacency_from_edges

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "btergm"


def case1_panel():
    from customsnet.modeling.panel.reference import read_reference_panel

    d = REF / "case1"
    if not d.is_dir():
        pytest.skip(f"reference data not found at {d}")
    return read_reference_panel(d)


def tie_sets(panel: Panel, name: str = "nets") -> dict[int, set]:
    """Ties per year as sets of label pairs (frozensets when undirected)."""
    out = {}
    for y in panel.years:
        coo = sp.triu(panel.network(name, y)).tocoo() if not panel.directed else panel.network(name, y).tocoo()
        labels = panel.nodes[y]
        out[y] = {frozenset((labels[i], labels[j])) for i, j in zip(coo.row, coo.col)}
    return out


def churn_panel(seed: int = 5) -> Panel:
    """A small undirected panel with formations, dissolutions and composition change.

    Node ``n11`` is absent in 2001 and ``n00`` leaves after 2002, so the label sets differ by year.
    """
    rng = np.random.default_rng(seed)
    years = [2000, 2001, 2002, 2003]
    base = [f"n{k:02d}" for k in range(12)]
    nodes = {2000: base, 2001: base[:-1], 2002: base, 2003: base[1:]}
    ties, current = {}, set()
    for y in years:
        labels = nodes[y]
        # sorted: set order follows string hashes, which differ per process (PYTHONHASHSEED)
        current = {e for e in sorted(current, key=sorted) if set(e) <= set(labels) and rng.random() > 0.15}
        while len(current) < 10 + 3 * (y - 2000):
            a, b = rng.choice(labels, 2, replace=False)
            current.add(frozenset((a, b)))
        ties[y] = sorted(tuple(sorted(e)) for e in current)
    return Panel(
        years=years,
        nodes={y: np.array(v) for y, v in nodes.items()},
        networks={"nets": {y: adjacency_from_edges(np.array(nodes[y]), ties[y]) for y in years}},
    )


# ------------------------------------------------------------------------------ invariants
@pytest.mark.parametrize("scheme", ["events", "per-year"])
@pytest.mark.parametrize("share", [0.3, 1.0])
def test_rewiring_keeps_counts_and_draws_only_untied_dyads(scheme, share):
    panel = churn_panel()
    rewired = rewire_panel(panel, "nets", share, seed=11, scheme=scheme)
    before, after = tie_sets(panel), tie_sets(rewired)
    for y in panel.years:
        net = rewired.network("nets", y)
        assert net.diagonal().sum() == 0  # no self-loops
        assert np.all(net.data == 1.0)  # no duplicate (summed) entries
        assert (net != net.T).nnz == 0
        assert len(after[y]) == len(before[y])  # tie count per year
        added = after[y] - before[y]
        assert all(set(pair) <= set(panel.nodes[y]) for pair in added)
        removed = before[y] - after[y]
        assert len(added) == len(removed) == rewired.meta["rewiring"]["removed_per_year"][y]
        if share == 1.0:
            assert not (after[y] & before[y])  # every observed tie replaced, none re-drawn


def test_share_zero_is_the_observed_panel():
    panel = churn_panel()
    for scheme in ("events", "per-year"):
        same = rewire_panel(panel, "nets", 0.0, seed=3, scheme=scheme)
        assert tie_sets(same) == tie_sets(panel)


def test_rewiring_is_seeded():
    panel = churn_panel()
    a = tie_sets(rewire_panel(panel, "nets", 0.5, seed=[1, 2]))
    b = tie_sets(rewire_panel(panel, "nets", 0.5, seed=[1, 2]))
    c = tie_sets(rewire_panel(panel, "nets", 0.5, seed=[1, 3]))
    assert a == b and a != c


@pytest.mark.parametrize("panel_seed", [5, 6, 7, 8])
@pytest.mark.parametrize("share", [0.5, 1.0])
def test_event_rewiring_keeps_formations_and_dissolutions(panel_seed, share):
    panel = churn_panel(panel_seed)
    before = tie_sets(panel)
    for seed in range(10):  # replacements must never merge with a neighbouring spell of the same pair
        after = tie_sets(rewire_panel(panel, "nets", share, seed=seed, scheme="events"))
        for prev, y in zip(panel.years, panel.years[1:]):
            assert len(after[y] - after[prev]) == len(before[y] - before[prev])  # formations
            assert len(after[prev] - after[y]) == len(before[prev] - before[y])  # dissolutions


def test_tie_spells_split_runs():
    ties = np.array([[1, 0, 1], [1, 1, 0], [0, 1, 1], [1, 1, 1]], dtype=bool)  # years x cells
    spells = tie_spells(ties).sort_values(["cell", "start"]).to_numpy().tolist()
    assert spells == [[0, 0, 1], [0, 3, 3], [1, 1, 3], [2, 0, 0], [2, 2, 3]]


def test_case1_event_rewiring_never_dissolves_ties_but_per_year_does():
    panel = case1_panel()
    events = tie_sets(rewire_panel(panel, "nets", 0.5, seed=9, scheme="events"))
    naive = tie_sets(rewire_panel(panel, "nets", 0.5, seed=9, scheme="per-year"))
    years = panel.years
    assert all(events[a] <= events[b] for a, b in zip(years, years[1:]))  # ties persist, as in CMAA data
    assert any(naive[a] - naive[b] for a, b in zip(years, years[1:]))  # naive rewiring invents dissolutions
    observed = tie_sets(panel)
    for y in years:  # the share of rewired ties is the requested one, up to rounding per start year
        assert abs(len(observed[y] - events[y]) / len(observed[y]) - 0.5) < 0.05


def test_too_few_untied_dyads_is_a_clear_error():
    labels = np.array(["a", "b", "c", "d"])
    nearly_full = adjacency_from_edges(labels, [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d")])
    panel = Panel(years=[1], nodes={1: labels}, networks={"nets": {1: nearly_full}})
    with pytest.raises(RewiringError, match="only 1 untied dyads"):
        rewire_panel(panel, "nets", 1.0, seed=0)
    with pytest.raises(RewiringError, match="share"):
        rewire_panel(panel, "nets", 1.5, seed=0)
    with pytest.raises(RewiringError, match="scheme"):
        rewire_panel(panel, "nets", 0.5, seed=0, scheme="weekly")


# ------------------------------------------------------------------------------ the study
FORMULA = 'nets ~ edges + gwesp(0.5, fixed = TRUE) + gwdegree(0.1, fixed = TRUE) + edgecov(cov) + absdiff("x")'


def test_network_terms_of_the_reference_formula():
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA
    from customsnet.modeling.terms.formula import parse_formula

    assert network_term_names(parse_formula(REFERENCE_FORMULA), directed=False) == [
        "gwesp.fixed.0.5",
        "gwdeg.fixed.0.1",
        "edgecov.memory[[i]]",
    ]


def test_study_baseline_reproduces_the_direct_fit_exactly():
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.estimation.fit import fit_tergm

    panel = case1_panel()
    study = rewiring_study(panel, FORMULA, shares=[0.0, 0.5], terms="all", estimator="mple", bootstrap=20, seed=7)
    direct = fit_tergm(build_design(panel, FORMULA), estimator="mple", bootstrap=20, seed=7).to_frame()
    base = study[study["share"] == 0].set_index("term")
    assert list(base.index) == list(direct.index)
    np.testing.assert_array_equal(base["estimate"].to_numpy(), direct["Estimate"].to_numpy())
    np.testing.assert_array_equal(base["lower"].to_numpy(), direct["2.5%"].to_numpy())
    np.testing.assert_array_equal(base["upper"].to_numpy(), direct["97.5%"].to_numpy())
    assert sorted(study["share"].unique()) == [0.0, 0.5]  # a requested 0 is the baseline, not a second fit
    assert study.attrs["seed"] == 7 and study.attrs["scheme"] == "events"


def test_gwesp_fades_as_ties_are_rewired_on_case1():
    """Seed 3, two repetitions (events): gwesp 0.452 at share 0, 0.292 at 0.25, 0.168 at 0.5, 0.082 at 1.0."""
    panel = case1_panel()
    study = rewiring_study(panel, FORMULA, shares=[0.25, 0.5, 1.0], reps=2, estimator="mple", seed=3)
    assert set(study["term"]) == {"gwesp.fixed.0.5", "gwdeg.fixed.0.1"}
    gwesp = summarize_study(study).query("term == 'gwesp.fixed.0.5'").set_index("share")["estimate"]
    assert gwesp[0.0] > 0.3  # clear triadic closure in the observed panel
    assert gwesp[0.0] > gwesp[0.25] > gwesp[0.5]
    assert gwesp[1.0] < 0.3 * gwesp[0.0]  # fully random ties: closure signal essentially gone


def test_study_summary_and_plot(tmp_path):
    panel = case1_panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # separation warnings for memory are expected here
        study = rewiring_study(
            panel,
            FORMULA + " + memory()",
            shares=[0.5],
            reps=2,
            scheme="per-year",
            estimator="mple",
            bootstrap=10,
            seed=1,
        )
    summary = summarize_study(study)
    half = summary[summary["share"] == 0.5]
    assert (half["reps"] == 2).all() and half["sd"].notna().all()
    # per-year rewiring creates dissolutions, so memory becomes identified; at share 0 it is not
    memory = study[study["term"] == "edgecov.memory[[i]]"].set_index(["share", "rep"])["estimate"]
    assert np.isnan(memory[(0.0, 0)]) and np.isfinite(memory[(0.5, 0)])
    written = plot_sensitivity(study, tmp_path / "sens")
    assert [p.suffix for p in written] == [".png", ".pdf"]
    assert all(p.stat().st_size > 5000 for p in written)
