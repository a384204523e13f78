"""`customsnet run --sources ../shared/data`: real covariates and the partial CMAA list, estimability reported."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from customsnet.cli import main
from customsnet.study.real_run import RunConfig, canonical_term, estimability, run_real

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def real(graph, shared_data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("real")
    config = RunConfig(bootstrap=10)
    result = run_real(
        graph, shared_data_dir, config, out / "runs", out / "report" / "index.html", progress=lambda s: None
    )
    return result, out


def test_every_term_gets_a_verdict_and_a_reason(real):
    result, _ = real
    terms = result["estimability"]["terms"]
    assert {canonical_term(t) for t in RunConfig().covariate_terms} <= set(terms)
    for verdict in terms.values():
        assert isinstance(verdict["estimable"], bool) and verdict["why"]
    # no tie dissolves in the shared lists (no termination dates): memory is not identified, and says why
    memory = terms[canonical_term("memory(type='stability')")]
    assert not memory["estimable"] and memory["dissolutions"] == 0 and "no tie dissolves" in memory["why"]
    # the shared COW trade copy ends in 2014, so lagged trade is missing from 2016 on
    trade = terms["edgecov(trade)"]
    assert not trade["estimable"] and "2016-2020" in trade["why"]
    # the Majors List copy covers a handful of fiscal years only
    assert not terms["edgecov(drugs)"]["estimable"]
    # V-Dem covers 1985-2023: the regime difference is estimable as far as the covariate goes
    assert "missing for most" not in terms[canonical_term("absdiff('polyarchy')")]["why"]


def test_the_partial_cmaa_list_was_loaded(real, graph):
    result, _ = real
    ties = result["estimability"]["ties"]
    assert ties[2020] > ties[1990] > 0  # CAN-USA 1984 is in place from the start
    files = {load["source"] for load in result["loads"] if not load["error"]}
    assert {"cmaa", "vdem", "unga", "trade", "cow_states"} <= files
    can_usa = graph.read("MATCH (:Country {iso3: 'CAN'})-[r:CMAA]-(:Country {iso3: 'USA'}) RETURN r.since AS since")
    assert can_usa and can_usa[0]["since"] == 1984


def test_cli_prints_the_estimability_table(real, neo4j_connection, shared_data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("NEO4J_URI", neo4j_connection.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_connection.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_connection.password)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"years": [1995, 2014], "bootstrap": 5, "min_ties": 10**6}))
    res = CliRunner().invoke(
        main,
        [
            "--quiet",
            "run",
            "--sources",
            str(shared_data_dir),
            "--no-load",
            "--config",
            str(config),
            "--workdir",
            str(tmp_path / "runs"),
        ],
    )
    assert res.exit_code == 0, res.output
    printed = json.loads(res.output[res.output.index("{") : res.output.rindex("}") + 1])
    # within 1995-2014 the lagged trade covers every modeled year
    assert "missing for most" not in printed["terms"]["edgecov(trade)"]["why"]
    assert printed["terms"]["edges"]["estimable"] is False  # min_ties set out of reach: fitting is skipped


def test_unknown_config_key_is_refused(tmp_path):
    bad = tmp_path / "c.json"
    bad.write_text(json.dumps({"yeras": [1990, 2000]}))
    with pytest.raises(ValueError, match="unknown config keys"):
        RunConfig.from_file(bad)


def test_estimability_is_a_pure_function_of_the_panel():
    import numpy as np
    import scipy.sparse as sp

    from customsnet.modeling.panel.panel import Panel

    years = [2000, 2001, 2002]
    nodes = {y: np.array(["A", "B", "C"]) for y in years}
    net = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float))
    trade = np.full((3, 3), 1.0)
    panel = Panel(
        years=years,
        nodes=nodes,
        networks={"CMAA": {y: net for y in years}},
        dyad_covs={"trade": {2000: trade, 2001: trade, 2002: np.full((3, 3), np.nan)}},
        node_attrs={"polyarchy": {y: np.array([0.1, 0.5, 0.9]) for y in years}},
    )
    cfg = RunConfig(covariate_terms=["edgecov(trade)", "absdiff('polyarchy')"], min_ties=1)
    out = estimability(panel, cfg)["terms"]
    assert not out["edgecov(trade)"]["estimable"] and "2002" in out["edgecov(trade)"]["why"]
    assert out[canonical_term("absdiff('polyarchy')")]["estimable"]
    # the tie never dissolves: memory is not estimable; once it dissolves, memory is
    memory = canonical_term("memory(type='stability')")
    assert not out[memory]["estimable"]
    panel.networks["CMAA"][2001] = sp.csr_matrix((3, 3))  # A-B dissolves in 2001 (and forms again in 2002)
    again = estimability(panel, cfg)["terms"]
    assert again[memory]["estimable"] and again[memory]["dissolutions"] == 1


def test_config_aliases_and_case_resolve_formula_names_and_unknown_ones_stay_for_the_verdicts():
    import numpy as np
    import scipy.sparse as sp

    from customsnet.modeling.panel.panel import Panel
    from customsnet.study.real_run import resolve_formulas

    years = [2000, 2001]
    net = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float))
    panel = Panel(
        years=years,
        nodes={y: np.array(["A", "B", "C"]) for y in years},
        networks={"CMAA": {y: net for y in years}},
        dyad_covs={"trade": {y: np.ones((3, 3)) for y in years}},
        node_attrs={"polyarchy": {y: np.array([0.1, 0.5, 0.9]) for y in years}},
    )
    formulas = {"M": "cmaa ~ edges + edgecov(mytrade) + absdiff('Polyarchy') + edgecov(mlat)"}
    resolved, notes = resolve_formulas(formulas, panel, {"mytrade": "trade"})
    assert resolved["M"] == 'CMAA ~ edges + edgecov(trade) + absdiff("polyarchy") + edgecov(mlat)'
    assert notes and "mytrade -> trade" in notes[0] and "Polyarchy -> polyarchy" in notes[0]
    # no alias and no panel variable: left as written, the estimability check then says why
    assert resolve_formulas({"M": "CMAA ~ edges + edgecov(mlat)"}, panel, {}) == (
        {"M": "CMAA ~ edges + edgecov(mlat)"},
        [],
    )
