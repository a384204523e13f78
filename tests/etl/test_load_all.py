"""Loading ALL of ../shared/data into a real Neo4j (once per module): coverage and idempotency.

Slow (minutes on a busy 2-core box): the COW trade file alone holds 406k dyad-years.
"""

from __future__ import annotations

import time

import pandas as pd
import pytest

from customsnet.etl.countries import cached_resolver
from customsnet.etl.load_directory import discover_sources, load_directory

pytestmark = pytest.mark.slow

#: the files whose country-years must mostly reach a Country node, and the variable to count
COVERAGE = {
    "vdem:vdemlite_v14_polyarchy_civlib_corr_1985_2023": "polyarchy",
    "unga:idealpoints_bsv_july2025_1985_2024": "ideal_point",
}


def counts(graph) -> dict[str, int]:
    labels = graph.read("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n")
    types = graph.read("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")
    return {**{f":{r['label']}": r["n"] for r in labels}, **{f"[:{r['type']}]": r["n"] for r in types}}


def fingerprint(graph) -> dict:
    """Cheap summary of the facts' properties: a reload that changed any value or key shows here."""
    return {
        "trade": graph.read(
            "MATCH ()-[t:TRADE]->() RETURN sum(t.value) AS value, sum(t.row) AS rows, "
            "count(DISTINCT t.key) AS keys, collect(DISTINCT t.load_id) AS loads"
        )[0],
        "observations": graph.read(
            "MATCH (o:Observation) RETURN sum(o.value) AS value, sum(o.row) AS rows, count(DISTINCT o.key) AS keys"
        )[0],
        "ties": graph.read(
            "MATCH ()-[r:CMAA|FTA]->() RETURN sum(r.since) AS since, sum(r.in_force) AS in_force, "
            "count(DISTINCT r.key) AS keys"
        )[0],
        "countries": graph.read("MATCH (c:Country) RETURN collect([c.iso3, c.name, c.cow, c.is_state]) AS all")[0],
        "sources": graph.read(
            "MATCH (s:Source) RETURN s.name AS name, s.sha256 AS sha, s.rows_loaded AS rows ORDER BY name"
        ),
    }


@pytest.fixture(scope="module")
def loaded(graph, shared_data_dir, tmp_path_factory):
    """Everything under ../shared/data, loaded once; (outcomes, seconds, counts, fingerprint)."""
    rejects = tmp_path_factory.mktemp("rejects")
    started = time.monotonic()
    outcomes = load_directory(
        graph, shared_data_dir, rejects_dir=rejects, resolver=cached_resolver(str(shared_data_dir))
    )
    seconds = time.monotonic() - started
    for outcome in outcomes:
        report = outcome.report
        print(
            f"{outcome.file.source:>14} {outcome.file.path.name:<50} read {outcome.read_seconds:5.1f} s "
            f"write {outcome.write_seconds:5.1f} s "
            + (f"{report.rows_loaded}/{report.rows_read} rows" if report else f"FAILED {outcome.error}")
        )
    print(f"all of {shared_data_dir}: {seconds:.1f} s")
    return outcomes, seconds, counts(graph), fingerprint(graph)


def test_every_shared_file_is_recognised_and_loads(loaded, shared_data_dir):
    outcomes, _, found, _ = loaded
    assert [o.error for o in outcomes if o.error] == []
    assert len(outcomes) == len(discover_sources(shared_data_dir)) >= 11
    for key, value in sorted(found.items()):
        print(f"{key:<22} {value:>8}")
    assert found["[:TRADE]"] > 400_000
    assert found[":CMAA"] >= 70 and found[":FTA"] >= 900 and found["[:FTA]"] > 50_000
    assert found[":Observation"] > 35_000 and found["[:HAS_OBSERVATION]"] == found[":Observation"]
    assert 190 <= found[":Country"] <= 320


def test_every_fact_names_a_loaded_source(graph, loaded):
    orphans = graph.read(
        "MATCH ()-[r:TRADE|CMAA|FTA|PARTY_TO|CONTIGUOUS|MEMBER_OF_SYSTEM]->() "
        "WHERE NOT EXISTS { MATCH (s:Source) WHERE s.name = r.source "
        "AND (s.sha256 IS NOT NULL OR s.name = 'customsnet') } "
        "RETURN type(r) AS type, count(*) AS n"
    )
    assert orphans == []


@pytest.mark.parametrize("source", sorted(COVERAGE))
def test_country_years_are_matched_to_countries_in_the_node_set(graph, loaded, source):
    outcomes, _, _, _ = loaded
    report = next(o.report for o in outcomes if o.report and o.report.name == source)
    rows = graph.read(
        "MATCH (c:Country)-[:HAS_OBSERVATION]->(o:Observation {variable: $variable}) WHERE o.source = $source "
        "RETURN o.iso3 AS iso3, o.year AS year, "
        "EXISTS { MATCH (c)-[m:MEMBER_OF_SYSTEM]->(:System) "
        "         WHERE m.since <= o.year AND (m.until IS NULL OR m.until >= o.year) } AS in_system",
        source=source,
        variable=COVERAGE[source],
    )
    matched = len(rows) / report.rows_read
    outside = sorted({(r["iso3"], r["year"]) for r in rows if not r["in_system"]})
    in_system = 1 - len(outside) / len(rows)
    print(
        f"{source}: {len(rows)} of {report.rows_read} country-years matched to a Country ({matched:.1%}); "
        f"{in_system:.1%} of those in the year's node set"
    )
    print(f"  reader notes: {report.notes}")
    if report.rows_rejected:
        print(f"  unmatched (rejected rows, {report.rejects_file}):")
        rejects = pd.read_csv(report.rejects_file)
        for (value, reason), group in rejects.groupby(["value", "reason"], dropna=False):
            print(f"    {value!s:<28} {reason[:70]:<70} {len(group)} rows")
    by_country: dict[str, list[int]] = {}
    for iso3, year in outside:
        by_country.setdefault(iso3, []).append(year)
    print(
        "  matched but outside the node set: "
        + ", ".join(f"{iso3} {min(y)}-{max(y)}" for iso3, y in sorted(by_country.items()))
    )
    assert matched >= 0.95
    assert in_system >= 0.90


def test_loading_everything_again_changes_nothing(graph, loaded, shared_data_dir, tmp_path):
    outcomes, first_seconds, first_counts, first_fingerprint = loaded
    started = time.monotonic()
    again = load_directory(graph, shared_data_dir, rejects_dir=tmp_path, resolver=cached_resolver(str(shared_data_dir)))
    print(f"first load {first_seconds:.1f} s, reload {time.monotonic() - started:.1f} s")
    assert [o.report.previous for o in again if o.report] == ["same"] * len(outcomes)
    assert counts(graph) == first_counts
    assert fingerprint(graph) == first_fingerprint
