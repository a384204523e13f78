"""Bring your own data: the documented layouts, `load --help`, and the shipped agreement template."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from customsnet.cli import main
from customsnet.etl.detect import READERS

REPO = Path(__file__).resolve().parents[2]
READER_MODULES = ["agreements", "contiguity", "country_codes", "cow_states", "desta", "gtd", "trade", "vdem"]


def template_path() -> Path:
    import customsnet.etl

    return Path(customsnet.etl.__file__).parent / "data" / "agreements_template.csv"


def test_every_named_layout_is_documented():
    doc = (REPO / "docs" / "data-formats.md").read_text(encoding="utf-8")
    for name in READER_MODULES:
        layouts = importlib.import_module(f"customsnet.etl.readers.{name}").LAYOUTS
        for layout in layouts:
            if ":" in layout:  # the recorded layout names; bare keys are renamed by the reader
                assert f"`{layout}`" in doc, f"{name}: layout {layout} missing from docs/data-formats.md"
    for reader in READERS:
        assert f"`{reader}`" in doc


def test_load_help_names_the_layouts_and_the_template():
    res = CliRunner().invoke(main, ["load", "--help"])
    assert res.exit_code == 0
    for reader in READERS:
        assert reader in res.output
    assert "docs/data-formats.md" in res.output and "agreements_template.csv" in res.output


def test_template_ships_as_package_data():
    import tomllib

    assert template_path().is_file()
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "customsnet"
    ]
    assert "etl/data/*.csv" in package_data


@pytest.mark.neo4j
def test_the_template_loads_through_the_cli(graph, neo4j_connection, tmp_path):
    path = tmp_path / "my_cmaa_list.csv"  # 'cmaa' in the name tells the agreement type
    shutil.copy(template_path(), path)
    env = {
        "NEO4J_URI": neo4j_connection.uri,
        "NEO4J_USER": neo4j_connection.user,
        "NEO4J_PASSWORD": neo4j_connection.password,
    }
    res = CliRunner().invoke(
        main, ["--quiet", "load", "cmaa", str(path), "--rejects-dir", str(tmp_path / "rejects")], env=env
    )
    assert res.exit_code == 0, res.output
    rows = graph.read(
        "MATCH (a:Agreement:CMAA)-[:FROM_SOURCE]->(:Source {name: 'cmaa:my_cmaa_list'}) "
        "RETURN a.id AS id, a.year_signed AS year ORDER BY id"
    )
    assert [r["id"] for r in rows] == [
        "cmaa:ARG-CAN:2017-05-15",
        "cmaa:EU-JPN:2008-01-30",
        "cmaa:IND-ZAF:undated",
        "cmaa:MEX-USA:1976-09-30",
    ]
    assert [r["year"] for r in rows if r["id"].endswith("undated")] == [None]
