"""A reduced demo, end to end through a real Neo4j: world → ETL → simulated CMAAs → fits → graph → report."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from customsnet.demo.pipeline import DemoSettings, run_demo
from customsnet.graph.results import read_model_run
from customsnet.study.analysis import AnalysisSettings

pytestmark = pytest.mark.neo4j

#: the study's parts, each a section of the report (ids of the <section> elements)
REPORT_SECTIONS = (
    "data",
    "table-a3",
    "figure-7",
    "prediction",
    "gof",
    "probabilities",
    "hive",
    "time-trends",
    "sensitivity",
    "glossary",
)


@pytest.fixture(scope="module")
def demo_run(graph, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    settings = DemoSettings(
        seed=7,
        n_countries=40,
        first_tie_count=12,
        last_tie_count=120,
        workdir=out / "runs",
        report=out / "report" / "index.html",
        analysis=AnalysisSettings(bootstrap=20, seed=7, n_jobs=1, predict_nsim=20, gof_nsim=8, gof_years=(2005, 2020)),
    )
    summary = run_demo(graph, settings, progress=lambda s: None)
    return summary, settings


def test_report_is_written_and_self_contained(demo_run):
    _, settings = demo_run
    html = settings.report.read_text(encoding="utf-8")
    assert "SYNTHETIC" in html
    for anchor in REPORT_SECTIONS + ("recovery",):
        assert f"<section id='{anchor}'>" in html, anchor
    assert html.count("<figcaption>") >= 8  # one line in words under each of the 8 figures
    # figures are embedded, nothing is fetched from elsewhere
    assert html.count("data:image/png;base64,") >= 5
    assert "src='http" not in html and 'src="http' not in html


def test_simulated_network_grows_as_calibrated(demo_run):
    summary, _ = demo_run
    ties = {int(k): v for k, v in summary["ties"].items()}
    assert ties[1990] == 12
    assert 0.8 * 120 <= ties[2020] <= 1.2 * 120
    # ties never dissolve
    years = sorted(ties)
    assert all(ties[b] >= ties[a] for a, b in zip(years, years[1:]))


def test_model_runs_in_graph_carry_the_fitted_coefficients(graph, demo_run):
    summary, settings = demo_run
    run_dir = settings.workdir / summary["run_id"]
    for model in ("Model 1", "Model 2", "Model 3", "Formation"):
        stored = read_model_run(graph, f"{summary['run_id']}/{model}")
        assert stored is not None, model
        assert stored["run"]["R"] == 20 and stored["run"]["synthetic"] is True
        expected = pd.read_csv(run_dir / "fits" / f"{model.replace(' ', '_')}_coefficients.csv")
        got = pd.DataFrame(stored["coefficients"])
        assert list(got["term"]) == list(expected["term"])
        est = got["estimate"].astype(float).to_numpy()
        np.testing.assert_allclose(est, expected["estimate"].to_numpy(dtype=float), rtol=0, atol=1e-12, equal_nan=True)
    # memory is flagged, not printed as an estimate, in the mple fit of Model 3
    m3 = pd.DataFrame(read_model_run(graph, f"{summary['run_id']}/Model 3")["coefficients"]).set_index("term")
    assert m3.loc["edgecov.memory[[i]]", "estimate"] is None or np.isnan(m3.loc["edgecov.memory[[i]]", "estimate"])
    assert str(m3.loc["edgecov.memory[[i]]", "status"]).startswith("not identified")


def test_predicted_partners_are_in_the_graph(graph, demo_run):
    summary, _ = demo_run
    rows = graph.read(
        "MATCH (a:Country)-[p:PREDICTED_PARTNER {run: $run}]->(b:Country) "
        "RETURN a.iso3 AS a, b.iso3 AS b, p.probability AS p, p.rank AS rank, p.year AS year",
        run=f"{summary['run_id']}/Formation",
    )
    assert rows
    assert all(0.0 <= r["p"] <= 1.0 and r["year"] == 2021 and 1 <= r["rank"] <= 3 for r in rows)
    # no predicted partner is already a CMAA partner in 2020
    pairs = {(r["a"], r["b"]) for r in rows}
    existing = graph.read("MATCH (a:Country)-[:CMAA]-(b:Country) RETURN a.iso3 AS a, b.iso3 AS b")
    assert not pairs & {(r["a"], r["b"]) for r in existing}


def test_demo_data_went_through_the_etl_with_provenance(graph, demo_run):
    sources = {
        r["name"]: r for r in graph.read("MATCH (s:Source) RETURN s.name AS name, s.file AS file, s.rows_loaded AS n")
    }
    readers = {name.split(":")[0] for name in sources}
    assert {
        "cmaa",
        "mlat",
        "vdem",
        "unga",
        "cow_trade",
        "gtd",
        "desta",
        "majors_list",
        "cow_states",
        "cow_contiguity",
    } <= readers
    assert all("SYNTHETIC" in (s["file"] or "SYNTHETIC") for s in sources.values())
    n_cmaa = graph.read("MATCH (:Country)-[r:CMAA]->(:Country) RETURN count(r) AS n")[0]["n"]
    summary, _ = demo_run
    assert n_cmaa == summary["ties"]["2020"]


def test_report_rebuilds_from_the_run_directory(demo_run, tmp_path):
    from customsnet.report.build import build_report
    from customsnet.study.runs import find_run

    summary, settings = demo_run
    run_dir = find_run(summary["run_id"], settings.workdir)
    path = build_report(run_dir, tmp_path / "again.html")
    assert path.read_text(encoding="utf-8").count("<table") >= 3
    assert json.loads((run_dir / "run.json").read_text())["synthetic"] is True


def test_cli_fits_on_the_panel_exported_from_the_graph(graph, neo4j_connection, demo_run, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from customsnet.cli import main

    monkeypatch.setenv("NEO4J_URI", neo4j_connection.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_connection.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_connection.password)
    res = CliRunner().invoke(
        main,
        [
            "--quiet",
            "fit",
            "--formula",
            "CMAA ~ edges + gwesp(0.5, fixed=TRUE) + memory() + edgecov(mlat) + edgecov(trade)",
            "--years",
            "1995-2020",
            "--estimator",
            "formation",
            "--bootstrap",
            "5",
            "--missing",
            "impute-mode",
            "--out",
            str(tmp_path / "fit"),
        ],
    )
    assert res.exit_code == 0, res.output
    saved = json.loads((tmp_path / "fit" / "fit.json").read_text())
    assert saved["meta"]["panel"] == "exported from the graph (basis signed)"  # PanelSource.describe()
    assert saved["years"][0] == 1996 and saved["years"][-1] == 2020  # 1995 only serves as the lagged network
    assert all(np.isfinite(saved["estimates"]))


def test_report_renders_in_headless_chromium(demo_run, tmp_path):
    """The report opens offline in Chromium without console errors, nothing overflows at 1280 px
    (checked in the DOM: scrollWidth <= clientWidth for the page and every table), every section is there."""
    import re
    import shutil
    import subprocess

    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        pytest.skip("no Chromium installed (apt-get install chromium)")
    _, settings = demo_run
    shot = tmp_path / "report.png"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    url = settings.report.resolve().as_uri()
    run = subprocess.run(
        [chromium, *flags, "--window-size=1280,2400", f"--screenshot={shot}", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shot.is_file() and shot.stat().st_size > 50_000, run.stderr[-2000:]
    console_errors = [line for line in run.stderr.splitlines() if "CONSOLE" in line and "error" in line.lower()]
    assert not console_errors
    # measure in the browser: a copy of the report with a script that writes its findings into the DOM
    probe = tmp_path / "probe.html"
    script = (
        "<script>window.addEventListener('load',()=>{const d=document.documentElement;"
        "const wide=[...document.querySelectorAll('table,figure,img,pre,p')].filter(e=>e.scrollWidth>e.clientWidth+1)"
        ".map(e=>e.tagName+':'+(e.closest('section')||{id:'top'}).id);"
        "document.body.setAttribute('data-page',d.scrollWidth+'/'+d.clientWidth);"
        "document.body.setAttribute('data-wide',wide.join(' '));"
        "document.body.setAttribute('data-sections',"
        "[...document.querySelectorAll('section')].map(s=>s.id).join(' '));});"
        "</script>"
    )
    probe.write_text(
        settings.report.read_text(encoding="utf-8").replace("</body>", script + "</body>"), encoding="utf-8"
    )
    dom = subprocess.run(
        [
            chromium,
            *flags,
            "--window-size=1280,2400",
            "--virtual-time-budget=5000",
            "--dump-dom",
            probe.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    ).stdout
    page = re.search(r'data-page="(\d+)/(\d+)"', dom)
    assert page, dom[:500]
    scroll, client = int(page.group(1)), int(page.group(2))
    assert client >= 1200 and scroll <= client, f"page is {scroll}px wide in a {client}px window"
    assert re.search(r'data-wide=""', dom), re.search(r'data-wide="[^"]*"', dom).group(0)
    sections = re.search(r'data-sections="([^"]*)"', dom).group(1).split()
    assert set(REPORT_SECTIONS) <= set(sections), sections
    assert dom.count("<table") >= 5 and dom.count("<img") >= 8


def test_named_query_lists_the_expected_agreements(graph, demo_run):
    from customsnet.graph.queries import run_named

    summary, _ = demo_run
    result = run_named(graph, "expected_agreements", {"run": "latest", "country": "ALL", "limit": 10})
    assert len(result.rows) == 10
    column = result.columns.index("probability")
    probabilities = [row[column] for row in result.rows]
    assert probabilities == sorted(probabilities, reverse=True)
    assert {row[result.columns.index("run")] for row in result.rows} == {f"{summary['run_id']}/Formation"}
