"""``customsnet fit`` on the panel exported from the graph: years outside the data fail fast."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def world(graph):
    from cypher_world import write_world

    write_world(graph)
    return graph


@pytest.mark.neo4j
@pytest.mark.parametrize("years, shown", [("2100-2110", "2100, 2101, 2102, 2103, 2104, …"), ("2001,2050", "2050")])
def test_years_no_source_covers_fail(world, graph_cli, tmp_path, years, shown):
    from customsnet.workflows.inputs import data_years

    first, last = data_years(world)
    result = graph_cli("fit", "--formula", "CMAA ~ edges", "--years", years, "--out", str(tmp_path / "o"))
    assert result.exit_code != 0
    assert f"--years: no loaded source covers {shown}; the sources in the graph observe {first}-{last}" in result.output
    assert not (tmp_path / "o" / "fit.json").exists()


@pytest.mark.neo4j
def test_fit_on_covered_years_of_the_graph_with_names_in_any_case(world, graph_cli, tmp_path):
    result = graph_cli(
        "fit",
        "--formula",
        "cmaa ~ edges + edgecov(MLAT_lag)",
        "--years",
        "2001-2003",
        "--bootstrap",
        "0",
        "--missing",
        "drop-nodes",
        "--out",
        str(tmp_path / "o"),
    )
    assert result.exit_code != 0 and "no dyadic covariate 'MLAT_lag'" in result.output
    assert "closest: mlat" in result.output
    result = graph_cli(
        "fit",
        "--formula",
        "cmaa ~ edges + edgecov(Mlat)",
        "--years",
        "2001-2003",
        "--bootstrap",
        "0",
        "--missing",
        "drop-nodes",
        "--out",
        str(tmp_path / "o"),
    )
    assert result.exit_code == 0, result.output
    assert "formula names resolved (cmaa -> CMAA, Mlat -> mlat)" in result.output
    assert "Time steps: 3 (2001-2003)" in result.output
    assert (tmp_path / "o" / "fit.json").exists()


@pytest.mark.neo4j
def test_a_network_inside_edgecov_asks_for_the_lagged_covariate(world, graph_cli, tmp_path):
    result = graph_cli(
        "fit",
        "--formula",
        "CMAA ~ edges + edgecov(MLAT)",
        "--years",
        "2001-2003",
        "--missing",
        "drop-nodes",
        "--out",
        str(tmp_path / "o"),
    )
    assert result.exit_code != 0
    assert "edgecov(MLAT) names the network MLAT of the same year t" in result.output
    assert "Write edgecov(mlat)" in result.output
