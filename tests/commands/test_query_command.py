"""``customsnet query``: country parameters resolve through the ETL's resolver, unknown ones fail."""

from __future__ import annotations

import json

import pytest

from customsnet.etl.country_names import UnknownCountryError, resolve_country
from customsnet.workflows.queries import resolve_country_parameters


def test_resolve_country_reads_iso3_cow_and_names_year_aware():
    assert resolve_country("Côte d'Ivoire") == "CIV"
    assert resolve_country("ivory coast") == "CIV"
    assert resolve_country("civ") == "CIV"
    assert resolve_country("437") == "CIV"  # COW code
    assert resolve_country("255", year=2000) == "DEU"
    with pytest.raises(UnknownCountryError, match=r"COW code 255 \(Germany\) is not in use in 1960"):
        resolve_country("255", year=1960)
    with pytest.raises(UnknownCountryError, match=r"country='Frnace': unknown country name .*closest: France \(FRA\)"):
        resolve_country("Frnace")


def test_country_parameters_are_resolved_and_all_is_kept():
    assert resolve_country_parameters({"country": "Belgium", "other": "civ", "year": 2002}) == {
        "country": "BEL",
        "other": "CIV",
        "year": 2002,
    }
    assert resolve_country_parameters({"run": "latest", "country": "ALL", "limit": 5})["country"] == "ALL"
    with pytest.raises(UnknownCountryError, match="other='Narnia'"):
        resolve_country_parameters({"country": "BEL", "other": "Narnia", "year": 2002})


@pytest.fixture(scope="module")
def world(graph):
    from cypher_world import write_world

    write_world(graph)
    return graph


@pytest.mark.neo4j
@pytest.mark.parametrize("country", ["Côte d'Ivoire", "civ", "Ivory Coast", "437"])
def test_partners_of_a_country_named_any_way(world, graph_cli, country):
    result = graph_cli("query", "partners", "-p", f"country={country}", "-p", "year=2002", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["partner"] for r in json.loads(result.stdout)] == ["BEL", "DNK"]
    assert "country: " + country + " -> CIV" in result.stderr


@pytest.mark.neo4j
def test_unknown_country_fails_with_the_closest_names(world, graph_cli):
    result = graph_cli("query", "partners", "-p", "country=Narnia", "-p", "year=2002")
    assert result.exit_code != 0
    assert "country='Narnia': unknown country name" in result.output and "closest:" in result.output
    result = graph_cli("query", "shared_partners", "-p", "country=Canada", "-p", "other=Belgum", "-p", "year=2002")
    assert result.exit_code != 0
    assert "other='Belgum'" in result.output and "Belgium (BEL)" in result.output
