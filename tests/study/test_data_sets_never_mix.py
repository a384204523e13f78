"""Demo and real data never mix; unload and reset empty a graph holding all of ../shared/data.

Through the CLI against the session's real Neo4j, in order (each test builds on the last):
demo -> run --sources (the run is real: no synthetic fact), run -> demo (refused), a mixed graph
-> every export refuses, then unload one source and reset the whole graph in bounded memory.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from customsnet.cli import main

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

# the settings of tests/demo (with R below ~20 the coefficient plot can meet an estimate outside its interval)
SMALL_DEMO = [
    "--countries",
    "40",
    "--ties",
    "12,120",
    "--bootstrap",
    "20",
    "--gof-nsim",
    "8",
    "--predict-nsim",
    "20",
    "--jobs",
    "1",
    "--seed",
    "7",
]


@pytest.fixture(scope="module")
def cli(graph, neo4j_connection, tmp_path_factory):
    """Run ``customsnet ARGS`` against the test server; returns the click result."""
    env = {
        "NEO4J_URI": neo4j_connection.uri,
        "NEO4J_USER": neo4j_connection.user,
        "NEO4J_PASSWORD": neo4j_connection.password,
    }
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, ["--quiet", *args], env=env, input=input)

    return invoke


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("never_mix")


@pytest.fixture(scope="module")
def demo_then_run(cli, work, graph, shared_data_dir):
    demo = cli(
        "demo", *SMALL_DEMO, "--no-start", "--workdir", str(work / "demo_runs"), "--report", str(work / "demo.html")
    )
    assert demo.exit_code == 0, demo.output
    assert graph.read("MATCH (s:Source) WHERE s.file CONTAINS 'SYNTHETIC' RETURN count(s) AS n")[0]["n"] >= 5
    config = work / "run.json"
    config.write_text(json.dumps({"bootstrap": 20, "gof_nsim": 5, "predict_nsim": 10, "n_jobs": 1, "min_ties": 20}))
    run = cli(
        "run",
        "--sources",
        str(shared_data_dir),
        "--config",
        str(config),
        "--no-start",
        "--workdir",
        str(work / "runs"),
        "--report",
        str(work / "real.html"),
    )
    return demo, run


def test_demo_then_run_gives_a_real_report_without_synthetic_facts(demo_then_run, graph, work):
    _, run = demo_then_run
    assert run.exit_code == 0, run.output
    assert "unloaded synthetic source" in run.output and "real data only" in run.output
    # the graph holds no synthetic Source and no fact of one
    assert (
        graph.read(
            "MATCH (s:Source) WHERE s.file CONTAINS 'SYNTHETIC' OR s.name CONTAINS 'SYNTHETIC' RETURN count(s) AS n"
        )[0]["n"]
        == 0
    )
    assert graph.read("MATCH ()-[r]->() WHERE r.source CONTAINS 'SYNTHETIC' RETURN count(r) AS n")[0]["n"] == 0
    assert graph.read("MATCH (o:Observation) WHERE o.source CONTAINS 'SYNTHETIC' RETURN count(o) AS n")[0]["n"] == 0
    (summary_file,) = (work / "runs").glob("run-*/run.json")
    summary = json.loads(summary_file.read_text())
    assert summary["synthetic"] is False and summary["synthetic_sources"] == []
    assert summary["sources"] and not any("SYNTHETIC" in s for s in summary["sources"])
    html = (work / "real.html").read_text(encoding="utf-8")
    assert "SYNTHETIC" not in html
    # the stored ModelRuns of the real run say real; the demo's own stay labelled synthetic
    runs = {
        r["id"]: r["synthetic"] for r in graph.read("MATCH (m:ModelRun) RETURN m.id AS id, m.synthetic AS synthetic")
    }
    assert {v for k, v in runs.items() if k.startswith(summary["run_id"])} == {False}
    assert {v for k, v in runs.items() if k.startswith("demo-")} == {True}


def test_run_reports_undated_agreements_and_never_predicts_a_tied_pair(demo_then_run, graph, work):
    _, run = demo_then_run
    assert "undated CMAA (policy exclude):" in run.output and "without a signing year" in run.output
    (summary_file,) = (work / "runs").glob("run-*/run.json")
    undated = json.loads(summary_file.read_text())["undated"]["CMAA"]
    assert undated["agreements"] > 0 and undated["policy"] == "exclude"
    import pandas as pd

    partners = pd.read_csv(summary_file.parent / "predicted_partners.csv")
    tied = {
        tuple(sorted(p))
        for p in graph.read("MATCH (a:Country)-[:CMAA]-(b:Country) RETURN DISTINCT [a.iso3, b.iso3] AS p")[0:]
        for p in [p["p"]]
    }
    predicted = {tuple(sorted((a, b))) for a, b in zip(partners["iso3"], partners["partner"])}
    assert predicted and not predicted & tied


def test_small_test_sets_are_flagged_in_the_prediction_output(demo_then_run, work):
    import pandas as pd

    _, run = demo_then_run
    (summary_file,) = (work / "runs").glob("run-*/run.json")
    table = pd.read_csv(summary_file.parent / "prediction.csv")
    assert {"new ties", "small_test_set", "warning"} <= set(table.columns)
    assert (table["small_test_set"] == (table["new ties"] < 20)).all()
    for n in table.loc[table["small_test_set"], "new ties"]:
        assert f"only {int(n)} new ties in the test year" in run.output


def test_run_names_the_source_chosen_for_polyarchy(demo_then_run, work):
    _, run = demo_then_run
    (summary_file,) = (work / "runs").glob("run-*/run.json")
    chosen = json.loads(summary_file.read_text())["observation_sources"]["polyarchy"]
    # two V-Dem files: the isard copy (V-Dem v16, to 2025) is the newer release than vdemlite v14 (to 2023)
    assert chosen["sources"][0].startswith("vdem:isard") and chosen["sources"][1].startswith("vdem:vdemlite_v14")
    assert "polyarchy: vdem:isard" in run.output


def test_tie_counting_queries_say_how_many_agreements_they_leave_out(demo_then_run, cli, graph):
    undated = graph.read("MATCH ()-[r:CMAA]->() WHERE r.since IS NULL RETURN count(DISTINCT r.agreement) AS n")[0]["n"]
    assert undated > 0
    res = cli("query", "top_signatories", "-p", "year=2010", "-p", "limit=5")
    assert res.exit_code == 0, res.output
    assert f"note: {undated} of " in res.output and "CMAA agreements have no signing year" in res.output
    # a query that reads no dated ties says nothing
    quiet = cli("query", "expected_agreements", "-p", "run=latest", "-p", "country=ALL", "-p", "limit=3")
    assert quiet.exit_code == 0 and "no signing year" not in quiet.output


def test_run_then_demo_is_refused(demo_then_run, cli, work, graph):
    before = graph.read("MATCH (s:Source) RETURN count(s) AS n")[0]["n"]
    demo = cli(
        "demo", *SMALL_DEMO, "--no-start", "--workdir", str(work / "demo2"), "--report", str(work / "demo2.html")
    )
    assert demo.exit_code != 0 and "non-demo sources" in demo.output
    assert graph.read("MATCH (s:Source) RETURN count(s) AS n")[0]["n"] == before


def test_every_export_refuses_a_mixed_graph(demo_then_run, cli, work, graph):
    # a Source flagged synthetic beside the real ones: fit (an export) refuses, naming it
    graph.write("MATCH (s:Source {name: 'unga:idealpoints_bsv_july2025_1985_2024'}) SET s.synthetic = true")
    try:
        res = cli(
            "fit",
            "--formula",
            "CMAA ~ edges + absdiff('ideal_point')",
            "--years",
            "2000-2010",
            "--estimator",
            "mple",
            "--bootstrap",
            "0",
            "--out",
            str(work / "fit"),
        )
        assert res.exit_code != 0 and "mixes synthetic facts" in res.output and "unga:idealpoints" in res.output
    finally:
        graph.write("MATCH (s:Source {name: 'unga:idealpoints_bsv_july2025_1985_2024'}) REMOVE s.synthetic")


def test_unload_deletes_one_source(demo_then_run, cli, graph):
    name = "vdem:vdemlite_v14_polyarchy_civlib_corr_1985_2023"
    assert graph.read("MATCH (o:Observation {source: $n}) RETURN count(o) AS n", n=name)[0]["n"] > 0
    res = cli("unload", name)
    assert res.exit_code == 0, res.output
    assert "Observation" in res.output
    assert graph.read("MATCH (o:Observation {source: $n}) RETURN count(o) AS n", n=name)[0]["n"] == 0
    assert not graph.read("MATCH (s:Source {name: $n}) RETURN s", n=name)
    # the other V-Dem copy is untouched
    assert graph.read("MATCH (o:Observation) WHERE o.source STARTS WITH 'vdem:isard' RETURN count(o) AS n")[0]["n"] > 0
    unknown = cli("unload", "vdem:nonesuch")
    assert unknown.exit_code != 0 and "no source 'vdem:nonesuch'" in unknown.output and "vdem:isard" in unknown.output


def test_reset_asks_then_empties_the_graph_within_the_memory_limit(demo_then_run, cli, graph):
    counts = graph.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    assert counts > 400_000  # the shared data's TRADE alone: the unbatched delete below cannot fit
    declined = cli("db", "reset", input="n\n")
    assert declined.exit_code != 0 and graph.read("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"] == counts
    limit = graph.read("SHOW SETTINGS YIELD name, value WHERE name = 'dbms.memory.transaction.total.max' RETURN value")
    if limit and limit[0]["value"] not in ("0B", "0"):
        # the server's transaction memory pool refuses one transaction deleting everything ...
        with pytest.raises(Exception, match="memory"):
            graph.run_autocommit("MATCH (n) DETACH DELETE n")  # one transaction, not retried
    # ... while the batched reset empties the graph under the same limit
    res = cli("db", "reset", "--yes")
    assert res.exit_code == 0, res.output
    assert "deleted" in res.output
    assert graph.read("MATCH (n) RETURN count(n) AS n")[0]["n"] == 0
