"""Network signals (Cypher) and the panel export against the hand-made graph of cypher_world.py.

The degree and shared-partner counts computed in Cypher must equal those computed with numpy
from the exported panel, in every year and on both date bases.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from cypher_world import polyarchy, write_world

from customsnet.graph import signals
from customsnet.modeling.panel.export import ExportError, export_panel
from customsnet.modeling.panel.panel import Panel

YEARS = (2000, 2003)
ALL = ["BEL", "CAN", "CIV", "DNK", "EGY", "EU", "FIN", "GHA"]
NOT_EGY = [c for c in ALL if c != "EGY"]  # EGY's membership ends in 2002


@pytest.fixture(scope="module")
def world(graph):
    write_world(graph)
    return graph


@pytest.fixture(scope="module")
def panel(world) -> Panel:
    return export_panel(world, years=YEARS)


def entry(panel: Panel, store: str, name: str, year: int, a: str, b: str | None = None) -> float:
    """A panel value by country codes (node attribute when ``b`` is None)."""
    index = {c: k for k, c in enumerate(panel.nodes[year])}
    if store == "network":
        return float(panel.network(name, year)[index[a], index[b]])
    if store == "dyad":
        return float(panel.dyad_cov(name, year)[index[a], index[b]])
    return float(panel.node_attr(name, year)[index[a]])


# ------------------------------------------------------------------ signals, by hand
def test_node_sets_follow_membership_spells(world):
    nodes = signals.node_sets(world, *YEARS)
    assert nodes[2000] == ["BEL", "CAN", "CIV", "DNK", "EGY", "EU", "FIN"]  # GHA enters in 2001
    assert nodes[2001] == nodes[2002] == ALL
    assert nodes[2003] == NOT_EGY


def test_degree_by_hand(world):
    frame = signals.degrees(world, *YEARS)
    got = {(r.year, r.country): r.degree for r in frame.itertuples()}
    assert len(got) == 7 + 8 + 8 + 7  # every node-year, zeros included
    # 2000: CAN-GHA does not count, GHA is not yet a member
    assert [got[(2000, c)] for c in ["BEL", "CAN", "CIV", "DNK", "FIN"]] == [2, 1, 1, 0, 0]
    # 2002: BEL-CAN counted once despite two agreements
    assert [got[(2002, c)] for c in ALL] == [4, 3, 2, 3, 0, 1, 0, 1]
    # 2003: BEL-DNK terminated; CIV-EGY does not count, EGY has left the system
    assert [got[(2003, c)] for c in NOT_EGY] == [3, 3, 2, 3, 2, 0, 1]
    in_force = {(r.year, r.country): r.degree for r in signals.degrees(world, *YEARS, basis="in_force").itertuples()}
    assert [in_force[(2002, c)] for c in ALL] == [3, 3, 1, 2, 0, 0, 0, 1]


def test_shared_partners_by_hand(world):
    frame = signals.shared_partners(world, 2002, 2002)
    got = {(r.source, r.target): r.shared for r in frame.itertuples()}
    twice = {("BEL", "DNK"), ("CAN", "CIV")}  # BEL-DNK via CAN and CIV; CAN-CIV via BEL and DNK
    once = {
        ("CAN", "DNK"),
        ("CAN", "EU"),
        ("CIV", "DNK"),
        ("CIV", "EU"),
        ("DNK", "EU"),
        ("BEL", "GHA"),
        ("DNK", "GHA"),
        ("BEL", "CAN"),
        ("BEL", "CIV"),
    }
    assert got == {**{p: 2 for p in twice}, **{p: 1 for p in once}}


def test_shared_partners_with_a_gap(world):
    frame = signals.shared_partners(world, *YEARS, tie_type="MLAT")
    assert frame.loc[(frame.source == "BEL") & (frame.target == "FIN"), "year"].tolist() == [2000, 2003]


def test_years_without_ties_give_empty_frames_with_columns(world):
    assert list(signals.ties(world, 1950, 1951).columns) == ["year", "source", "target"]
    assert signals.ties(world, 1950, 1951).empty
    assert signals.shared_partners(world, 1950, 1951).empty
    assert list(signals.shared_partners(world, 1950, 1951).columns) == ["year", "source", "target", "shared"]
    degrees = signals.degrees(world, 1950, 1950)
    assert len(degrees) == 6 and (degrees.degree == 0).all()  # members then: all but GHA and the EU
    with pytest.raises(ValueError, match="empty"):
        signals.degrees(world, 2001, 2000)


def test_ties_keep_parties_outside_the_node_set_and_respect_termination(world):
    frame = signals.ties(world, *YEARS)
    by_year = {y: set(zip(g.source, g.target)) for y, g in frame.groupby("year")}
    assert ("CAN", "GHA") in by_year[2000]
    assert ("BEL", "DNK") in by_year[2002] and ("BEL", "DNK") not in by_year[2003]
    assert len(by_year[2003]) == 8  # 10 agreements: one pair twice, one terminated
    with pytest.raises(ValueError, match="unknown agreement type"):
        signals.ties(world, *YEARS, tie_type="CMAA) DETACH DELETE (x")


# ------------------------------------------------------------------ Cypher == numpy on the panel
@pytest.mark.parametrize("basis", ["signed", "in_force"])
@pytest.mark.parametrize("tie_type", ["CMAA", "MLAT"])
def test_cypher_degree_and_shared_partners_equal_numpy_on_the_exported_panel(world, basis, tie_type):
    panel = export_panel(world, years=YEARS, outcome=tie_type, basis=basis, covariates=(), attributes=())
    degrees = signals.degrees(world, *YEARS, tie_type=tie_type, basis=basis)
    shared = signals.shared_partners(world, *YEARS, tie_type=tie_type, basis=basis)
    checked_pairs = 0
    for year in panel.years:
        labels = panel.nodes[year]
        a = panel.network(tie_type, year)
        numpy_degree = dict(zip(labels, np.asarray(a.sum(axis=1)).ravel().astype(int)))
        cypher_degree = dict(zip(*degrees.loc[degrees.year == year, ["country", "degree"]].to_numpy().T))
        assert cypher_degree == numpy_degree, year

        two_paths = (a @ a).toarray()
        i, j = np.triu_indices(len(labels), k=1)
        keep = two_paths[i, j] > 0
        numpy_shared = {(labels[x], labels[y]): int(two_paths[x, y]) for x, y in zip(i[keep], j[keep])}
        rows = shared[shared.year == year]
        cypher_shared = {(s, t): int(n) for s, t, n in zip(rows.source, rows.target, rows.shared)}
        assert cypher_shared == numpy_shared, year
        checked_pairs += len(numpy_shared)
    if tie_type == "CMAA":
        assert checked_pairs > 15  # the comparison is not vacuous


# ------------------------------------------------------------------ the export, by hand
def test_export_nodes_and_networks(panel):
    assert panel.years == [2000, 2001, 2002, 2003]
    assert list(panel.nodes[2000]) == ["BEL", "CAN", "CIV", "DNK", "EGY", "EU", "FIN"]
    assert sorted(panel.networks) == ["CMAA", "FTA", "MLAT"]
    assert entry(panel, "network", "CMAA", 2002, "BEL", "DNK") == 1.0
    assert entry(panel, "network", "CMAA", 2003, "DNK", "BEL") == 0.0  # terminated
    assert panel.network("CMAA", 2003).nnz == 2 * 7  # 9 pairs signed by 2003: BEL-DNK ended, EGY left
    assert entry(panel, "network", "MLAT", 2002, "EGY", "DNK") == 1.0
    assert any("CMAA 2000: 1 tie(s) left out" in note and "CAN-GHA" in note for note in panel.missing)
    assert any("CMAA 2003: 1 tie(s) left out" in note and "CIV-EGY" in note for note in panel.missing)


def test_export_node_attributes_are_lagged_and_gaps_reported(panel):
    assert entry(panel, "attr", "polyarchy", 2001, "BEL") == pytest.approx(polyarchy("BEL", 2000))
    assert entry(panel, "attr", "polyarchy", 2003, "EU") == pytest.approx(polyarchy("EU", 2002))
    assert math.isnan(entry(panel, "attr", "polyarchy", 2001, "GHA"))  # no 2000 value
    assert math.isnan(entry(panel, "attr", "polyarchy", 2002, "EGY"))  # no 2001 value
    assert panel.meta["missing"]["polyarchy"] == {
        "2001": {"missing": 1, "of": 8, "countries": ["GHA"]},
        "2002": {"missing": 1, "of": 8, "countries": ["EGY"]},
    }
    assert any(note.startswith("polyarchy 2001: 1 of 8 node-years NaN") and "GHA" in note for note in panel.missing)


def test_export_reports_undated_ties_and_disagreeing_sources(panel):
    assert panel.meta["undated"]["CMAA"]["relationships"] == 1 and panel.meta["undated"]["CMAA"]["policy"] == "exclude"
    assert any(n.startswith("CMAA: 1 of ") and "without a signing year" in n for n in panel.missing)
    # FIN 2000 has two differing polyarchy values: never their mean; the newest release (the series
    # reaching the latest year: 'test', to 2002) wins, and the note says which and how many
    assert entry(panel, "attr", "polyarchy", 2001, "FIN") == pytest.approx(polyarchy("FIN", 2000))
    assert entry(panel, "attr", "polyarchy", 2001, "CAN") == pytest.approx(polyarchy("CAN", 2000))
    chosen = panel.meta["observation_sources"]["polyarchy"]
    assert chosen["sources"] == ["test", "test2"] and chosen["differing"] == 1
    notes = [n for n in panel.missing if n.startswith("polyarchy: 2 sources give it")]
    assert len(notes) == 1 and "test > test2" in notes[0] and "no averaging" in notes[0]


def test_export_source_precedence_is_configurable(world):
    chosen = export_panel(world, years=YEARS, precedence={"polyarchy": ["test2"]})
    # test2 has FIN and CAN 2000 only; every other country-year still comes from 'test'
    assert entry(chosen, "attr", "polyarchy", 2001, "FIN") == pytest.approx(polyarchy("FIN", 2000) + 0.2)
    assert entry(chosen, "attr", "polyarchy", 2001, "BEL") == pytest.approx(polyarchy("BEL", 2000))
    assert chosen.meta["observation_sources"]["polyarchy"]["rule"] == "configured precedence"


def test_export_undated_policy_in_force_dates_by_entry_into_force(world, panel):
    dated = export_panel(world, years=YEARS, undated="in_force")
    assert dated.meta["undated"]["CMAA"]["policy"] == "in_force"
    # CAN-EU has neither a signing nor an in-force year: still left out, and the reason says so
    assert dated.meta["undated"]["CMAA"]["relationships"] == 1
    assert "without a signing or an in-force year" in dated.meta["undated"]["CMAA"]["why"]
    with pytest.raises(ExportError, match="undated agreements"):
        export_panel(world, years=YEARS, undated="error")


def test_export_lists_every_tied_pair_and_its_sources(panel):
    assert "BEL CAN" in panel.meta["tied_pairs"]
    assert panel.meta["synthetic"] is False
    assert {r["source"] for r in panel.meta["sources"]} >= {"test"}


def test_export_terror_absence_is_zero_only_in_covered_years(panel):
    fatalities = dict(zip(panel.nodes[2000], panel.node_attr("terror_fatalities", 2000)))
    assert fatalities == {"BEL": 2.0, "CAN": 0.0, "CIV": 0.0, "DNK": 0.0, "EGY": 10.0, "EU": 0.0, "FIN": 0.0}
    assert np.isnan(panel.node_attr("terror_fatalities", 2002)).all()  # GTD has nothing for 2001
    assert entry(panel, "attr", "terror_fatalities", 2003, "CIV") == 3.0
    assert entry(panel, "dyad", "terrorism", 2000, "BEL", "EGY") == 12.0
    assert entry(panel, "dyad", "terrorism", 2000, "CAN", "FIN") == 0.0
    # no Majors List loaded at all: unknown, not zero
    assert np.isnan(panel.node_attr("majors_list", 2001)).all()
    assert any(note.startswith("drugs 2001:") for note in panel.missing)


def test_export_dyadic_covariates(panel):
    assert entry(panel, "dyad", "trade", 2001, "BEL", "CAN") == pytest.approx(math.log1p(2000.0))
    assert entry(panel, "dyad", "trade", 2001, "DNK", "BEL") == pytest.approx(math.log1p(50.0))
    assert math.isnan(entry(panel, "dyad", "trade", 2001, "CAN", "DNK"))  # no record: missing, not 0
    assert np.isnan(panel.dyad_cov("trade", 2003)[np.triu_indices(7, 1)]).all()  # no 2002 trade at all
    assert entry(panel, "dyad", "contiguity", 2002, "BEL", "FIN") == 1.0
    assert entry(panel, "dyad", "contiguity", 2002, "DNK", "FIN") == 0.0  # across water (type 3)
    assert math.isnan(entry(panel, "dyad", "contiguity", 2003, "BEL", "FIN"))  # 2002 is past the data
    assert entry(panel, "dyad", "mlat", 2001, "CAN", "FIN") == 1.0  # MLAT of 2000
    assert entry(panel, "dyad", "mlat", 2002, "DNK", "EGY") == 0.0  # signed 2002, counts from 2003
    assert entry(panel, "dyad", "mlat", 2003, "BEL", "CIV") == 0.0  # signed 2003
    assert entry(panel, "dyad", "mlat", 2003, "CAN", "FIN") == 0.0  # ended 2001, signed again 2003
    assert entry(panel, "dyad", "fta", 2000, "BEL", "FIN") == 1.0
    assert any("contiguity 2003: 21 of 21 dyads NaN" in note for note in panel.missing)


def test_export_notes_open_contiguity_spells(world):
    world.write(
        "MATCH (a:Country {iso3: 'CAN'}), (b:Country {iso3: 'DNK'}) "
        "CREATE (a)-[:CONTIGUOUS {type: 1, since: 1990, until: null, source: 'test-open'}]->(b)"
    )
    try:
        panel = export_panel(world, years=YEARS, covariates=("contiguity",), attributes=())
    finally:
        world.write("MATCH ()-[c:CONTIGUOUS {source: 'test-open'}]->() DELETE c")
    # an open spell makes the data open-ended: 2003 (value of 2002) is known now, and that is said
    assert entry(panel, "dyad", "contiguity", 2003, "CAN", "DNK") == 1.0
    assert entry(panel, "dyad", "contiguity", 2003, "BEL", "FIN") == 0.0  # its spell ended 2001
    assert any(
        n.startswith("contiguity: 1 spell(s) have no end year and are taken as continuing through 2002")
        for n in panel.missing
    )


def test_export_without_contiguity_loaded_reports_it_missing(world):
    # hide the contiguity spells under another relationship type for this test, then put them back
    world.write("MATCH (a)-[c:CONTIGUOUS]->(b) CREATE (a)-[h:HIDDEN_CONTIGUOUS]->(b) SET h = properties(c) DELETE c")
    try:
        panel = export_panel(world, years=YEARS, covariates=("contiguity",), attributes=())
    finally:
        world.write(
            "MATCH (a)-[h:HIDDEN_CONTIGUOUS]->(b) CREATE (a)-[c:CONTIGUOUS]->(b) SET c = properties(h) DELETE h"
        )
    assert np.isnan(panel.dyad_cov("contiguity", 2001)[np.triu_indices(8, 1)]).all()
    assert any(n.startswith("contiguity 2001: 28 of 28 dyads NaN (no contiguity loaded)") for n in panel.missing)
    assert world.read("MATCH ()-[c:CONTIGUOUS]->() RETURN count(c) AS n") == [{"n": 2}]


def test_export_records_its_configuration_and_survives_save_and_load(panel, tmp_path):
    config = panel.meta["export"]
    assert config["lag"] == 1 and config["basis"] == "signed" and config["outcome"] == "CMAA"
    assert config["covariates"] == ["trade", "contiguity", "mlat", "fta", "terrorism", "drugs"]
    loaded = Panel.load(panel.save(tmp_path / "panel.npz"))
    assert loaded.meta == panel.meta and loaded.missing == panel.missing
    assert (loaded.network("CMAA", 2002) != panel.network("CMAA", 2002)).nnz == 0


def test_export_options(world):
    unlagged = export_panel(world, years=YEARS, lag=0, covariates=("mlat",), attributes=("polyarchy",))
    assert entry(unlagged, "attr", "polyarchy", 2001, "BEL") == pytest.approx(polyarchy("BEL", 2001))
    assert entry(unlagged, "dyad", "mlat", 2002, "DNK", "EGY") == 1.0
    assert [entry(unlagged, "dyad", "mlat", y, "CAN", "FIN") for y in unlagged.years] == [1.0, 0.0, 0.0, 1.0]
    lag2 = export_panel(world, years=YEARS, lag=2, covariates=("mlat",), attributes=("polyarchy",))
    assert entry(lag2, "attr", "polyarchy", 2002, "BEL") == pytest.approx(polyarchy("BEL", 2000))
    assert [entry(lag2, "dyad", "mlat", y, "CAN", "FIN") for y in lag2.years] == [0.0, 0.0, 1.0, 0.0]
    assert lag2.meta["export"]["lag"] == 2
    in_force = export_panel(world, years=YEARS, basis="in_force", covariates=(), attributes=())
    assert entry(in_force, "network", "CMAA", 2002, "CIV", "DNK") == 0.0  # never in force
    assert entry(in_force, "network", "CMAA", 2003, "BEL", "EU") == 1.0
    with pytest.raises(ExportError, match=r"missing values .*polyarchy \(2 year\(s\), first 2001\)"):
        export_panel(world, years=YEARS, missing="error")
    complete = export_panel(world, years=(2001, 2001), covariates=("mlat",), attributes=(), missing="error")
    assert complete.meta["missing"] == {}
    with pytest.raises(ExportError, match="no state-system members in 1700"):
        export_panel(world, years=(1700, 1701))
    with pytest.raises(ExportError, match="unknown dyadic covariates"):
        export_panel(world, years=YEARS, covariates=("gravity",))
