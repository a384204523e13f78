"""Named queries, ad hoc Cypher and the query CLI against a small hand-made graph (cypher_world.py)."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from cypher_world import write_world

from customsnet.cli import main
from customsnet.commands.output import render
from customsnet.graph.queries import (
    QueryError,
    WriteRefused,
    named_queries,
    parse_params,
    query_parameters,
    run_cypher,
    run_named,
)


@pytest.fixture(scope="module")
def world(graph):
    write_world(graph)
    return graph


def records(result) -> list[dict]:
    return [dict(zip(result.columns, row)) for row in result.rows]


def column(result, name: str) -> list:
    return [row[result.columns.index(name)] for row in result.rows]


# ------------------------------------------------------------------ the query files themselves
def test_every_named_query_has_a_description_and_a_param_example_naming_its_parameters():
    queries = named_queries()
    assert set(queries) == {
        "partners",
        "shared_partners",
        "top_signatories",
        "new_ties",
        "mlat_without_cmaa",
        "partner_candidates",
        "ego_network",
        "expected_agreements",
    }
    for query in queries.values():
        assert query.text.startswith("// ") and query.description, query.name
        assert query.example.startswith(":param {"), query.name
        for parameter in query.parameters:
            assert f"{parameter}:" in query.example, (query.name, parameter)


def test_query_parameters_ignores_comments_and_strings():
    text = "// $not_this\nMATCH (c {name: '$nor_this // x'}) WHERE c.x = $year // $comment\nRETURN $limit"
    assert query_parameters(text) == ["year", "limit"]


def test_parse_params_reads_int_float_and_text():
    assert parse_params(["year=2005", "share=0.5", "country=FRA", "code='007'", "expr=a=b"]) == {
        "year": 2005,
        "share": 0.5,
        "country": "FRA",
        "code": "007",
        "expr": "a=b",
    }
    with pytest.raises(QueryError, match="KEY=VALUE"):
        parse_params(["year"])


def test_render_formats_lists_nulls_and_maps():
    out = io.StringIO()
    render(["year", "partners", "density", "node"], [[2001, ["CAN", "CIV"], None, {"iso3": "BEL"}]], "csv", out)
    assert out.getvalue().splitlines() == ["year,partners,density,node", '2001,"CAN, CIV",,"{""iso3"": ""BEL""}"']
    out = io.StringIO()
    render(["year", "partners"], [[2001, ["CAN"]]], "json", out)
    assert json.loads(out.getvalue()) == [{"year": 2001, "partners": ["CAN"]}]
    out = io.StringIO()
    render(["year"], [[2001], [2002]], "table", out)
    assert "2002" in out.getvalue() and "2 rows" in out.getvalue()


# ------------------------------------------------------------------ hand-computed answers
def test_partners(world):
    result = run_named(world, "partners", {"country": "BEL", "year": 2002})
    assert column(result, "partner") == ["CAN", "CIV", "DNK", "EU"]
    can = records(result)[0]
    assert can["since"] == 1998 and sorted(can["agreements"]) == ["cmaa-1", "cmaa-2"]
    # BEL-DNK was terminated in 2003
    assert column(run_named(world, "partners", {"country": "BEL", "year": 2003}), "partner") == ["CAN", "CIV", "EU"]


def test_shared_partners(world):
    result = run_named(world, "shared_partners", {"country": "CAN", "other": "CIV", "year": 2002})
    assert column(result, "shared_partner") == ["BEL", "DNK"]
    # in 2001 CIV's only partner is BEL
    result = run_named(world, "shared_partners", {"country": "CAN", "other": "CIV", "year": 2001})
    assert column(result, "shared_partner") == ["BEL"]


def test_top_signatories(world):
    result = run_named(world, "top_signatories", {"year": 2002, "limit": 3})
    # signed in 2002: BEL-CAN (second agreement), BEL-EU, CIV-DNK
    assert [(r["country"], r["partners"], r["signed_in_year"]) for r in records(result)] == [
        ("BEL", 4, 2),
        ("CAN", 3, 1),
        ("DNK", 3, 1),
    ]


def test_new_ties(world):
    pairs = lambda year: [  # noqa: E731
        (r["country1"], r["country2"]) for r in records(run_named(world, "new_ties", {"year": year}))
    ]
    # BEL-CAN's second agreement (2002) is not a new tie
    assert pairs(2002) == [("BEL", "EU"), ("CIV", "DNK")]
    assert pairs(2003) == [("CIV", "EGY"), ("DNK", "EU")]


def test_mlat_without_cmaa(world):
    pairs = lambda year: [  # noqa: E731
        (r["country1"], r["country2"], r["mlat_since"])
        for r in records(run_named(world, "mlat_without_cmaa", {"year": year}))
    ]
    # BEL-CAN and BEL-CIV have a CMAA too; CAN-FIN's MLAT ended in 2001 and was signed again in 2003
    assert pairs(2000) == [("CAN", "FIN", 2000)]
    assert pairs(2002) == [("DNK", "EGY", 2002)]
    assert pairs(2003) == [("CAN", "FIN", 2003), ("DNK", "EGY", 2002)]


def test_partner_candidates(world):
    result = run_named(world, "partner_candidates", {"country": "CIV", "year": 2002, "limit": 10})
    rows = records(result)
    assert [(r["candidate"], r["partners_in_common"]) for r in rows] == [("CAN", 2), ("EU", 1)]
    assert sorted(rows[0]["via"]) == ["BEL", "DNK"]


def test_ego_network(world):
    rows = records(run_named(world, "ego_network", {"country": "BEL", "from": 2000, "to": 2003}))
    got = [
        (r["year"], r["degree"], r["partners"], r["new_partners"], r["ties_among_partners"], r["density"]) for r in rows
    ]
    assert got == [
        (2000, 2, ["CAN", "CIV"], ["CIV"], 0, 0.0),
        (2001, 3, ["CAN", "CIV", "DNK"], ["DNK"], 1, 0.333),
        (2002, 4, ["CAN", "CIV", "DNK", "EU"], ["EU"], 2, 0.333),
        (2003, 3, ["CAN", "CIV", "EU"], [], 0, 0.0),
    ]


def test_named_query_reports_missing_and_unknown_parameters(world):
    with pytest.raises(QueryError, match=r"needs --param for year \(example: :param \{country"):
        run_named(world, "partners", {"country": "BEL"})
    with pytest.raises(QueryError, match="takes no parameter"):
        run_named(world, "partners", {"country": "BEL", "year": 2002, "colour": "red"})
    with pytest.raises(QueryError, match="no named query 'nope'"):
        run_named(world, "nope", {})


# ------------------------------------------------------------------ safety
def test_a_name_with_a_quote_is_a_parameter_not_cypher(world):
    by_name = run_named(world, "partners", {"country": "Côte d'Ivoire", "year": 2002})
    assert column(by_name, "partner") == ["BEL", "DNK"]
    # an injection attempt is just a name nobody has
    hostile = "x' OR 1=1 WITH 1 AS x MATCH (n) DETACH DELETE n //"
    assert run_named(world, "partners", {"country": hostile, "year": 2002}).rows == []
    assert world.read("MATCH (c:Country) RETURN count(c) AS n") == [{"n": 8}]


def test_ad_hoc_cypher_is_read_only_unless_write(world):
    with pytest.raises(WriteRefused, match="this query writes; rerun with --write"):
        run_cypher(world, "CREATE (:Scratch {x: 1})")
    assert world.read("MATCH (s:Scratch) RETURN count(s) AS n") == [{"n": 0}]
    result = run_cypher(world, "CREATE (s:Scratch {x: $x}) RETURN s.x AS x", {"x": 7}, write=True)
    assert result.rows == [[7]]
    run_cypher(world, "MATCH (s:Scratch) DELETE s", write=True)
    assert world.read("MATCH (s:Scratch) RETURN count(s) AS n") == [{"n": 0}]


def test_ad_hoc_cypher_needs_its_parameters_and_reports_syntax_errors(world):
    with pytest.raises(QueryError, match="needs parameter"):
        run_cypher(world, "MATCH (c:Country {iso3: $country}) RETURN c")
    with pytest.raises(QueryError, match="Neo4j refused the query .*SyntaxError"):
        run_cypher(world, "MATCH (c:Country RETURN c")


# ------------------------------------------------------------------ CLI
@pytest.fixture()
def cli(world, neo4j_connection):
    """Invoke ``customsnet`` pointed at the test server through the environment (NEO4J_URI ...)."""
    env = {
        "NEO4J_URI": neo4j_connection.uri,
        "NEO4J_USER": neo4j_connection.user,
        "NEO4J_PASSWORD": neo4j_connection.password,
        "NEO4J_DATABASE": neo4j_connection.database,
    }
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), env=env, catch_exceptions=False)


def test_cli_named_query_as_json_and_csv(cli):
    result = cli("query", "partners", "--param", "country=Côte d'Ivoire", "-p", "year=2002", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["partner"] for r in json.loads(result.stdout)] == ["BEL", "DNK"]
    result = cli("query", "top_signatories", "-p", "year=2002", "-p", "limit=2", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["country,name,partners,signed_in_year", "BEL,Belgium,4,2", "CAN,Canada,3,1"]


def test_cli_lists_queries_and_explains_browser_import(cli, tmp_path):
    listing = cli("query", "--list")
    assert listing.exit_code == 0
    for name in named_queries():
        assert name in listing.output
    browser = cli("query", "--browser", "--zip", str(tmp_path / "favorites.zip"))
    assert browser.exit_code == 0 and "Favorites" in browser.output
    assert (tmp_path / "favorites.zip").stat().st_size > 0


def test_cli_cypher_refuses_a_write_with_a_clear_message(cli, world):
    result = cli("cypher", "CREATE (:Scratch)")
    assert result.exit_code != 0
    assert "this query writes; rerun with --write" in result.output
    assert world.read("MATCH (s:Scratch) RETURN count(s) AS n") == [{"n": 0}]
    result = cli(
        "cypher", "MATCH (c:Country {name: $name}) RETURN c.iso3 AS iso3", "-p", "name=Côte d'Ivoire", "--format", "csv"
    )
    assert result.exit_code == 0 and result.output.splitlines() == ["iso3", "CIV"]
