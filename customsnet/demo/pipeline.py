"""``customsnet demo``: from an empty graph to a report, on the SYNTHETIC demo world.

1. build the world (real countries and borders, synthetic attributes, MLATs, FTAs, trade) and
   write it in the publishers' file layouts;
2. load those files through the ETL (the same readers and loader as real data);
3. export the covariate panel from the graph, simulate the CMAA network forward with the TERGM
   sampler (known parameters modelled on the study's Model 3, calibrated to ~40 → ~800 ties),
   write it as a CMAA agreement file and load it too;
4. compute the network signals in Cypher, export the modeling panel, and run the analysis
   (:func:`customsnet.study.analysis.run_analysis`);
5. store the run in the graph (``ModelRun``, coefficients, predicted partners) and write the report.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from customsnet.demo.cmaa import (
    CmaaTruth,
    calibrate_intercept,
    pairs_from_networks,
    tie_counts,
)
from customsnet.demo.files import write_cmaa_file, write_publisher_files
from customsnet.demo.world import DemoConfig, build_world
from customsnet.graph.connection import Graph
from customsnet.graph.regions import country_regions
from customsnet.modeling.estimation.bootstrap import Progress
from customsnet.study.analysis import (
    COVARIATE_TERMS,
    NETWORK_TERMS,
    AnalysisSettings,
    run_analysis,
)
from customsnet.study.rundir import RunDirectory

SYNTHETIC_BANNER = (
    "SYNTHETIC DEMO DATA. Countries, regions and land borders are real; every attribute, agreement and "
    "trade flow was simulated by `customsnet demo`. Nothing here describes real customs cooperation."
)

# The generating model, modelled on the study's Model 3 (network terms, memory and covariates).
DEMO_TRUE_COEFS = {
    "gwesp.fixed.0.5": 0.6,
    "gwdeg.fixed.0.1": -1.2,
    "edgecov.mlat[[i]]": 0.9,
    "edgecov.fta[[i]]": 0.4,
    "edgecov.trade[[i]]": 0.25,
    "edgecov.contiguity[[i]]": 0.5,
    "edgecov.terrorism[[i]]": 0.002,
    "edgecov.drugs[[i]]": 0.3,
    "absdiff.polyarchy": -1.0,
    "absdiff.civlib": -0.5,
    "absdiff.corruption": -0.3,
    "absdiff.ideal_point": -0.3,
}


@dataclass
class DemoSettings:
    """Knobs of the demo run (defaults: the full world, R = 100)."""

    seed: int = 20240601
    n_countries: int | None = None
    first_tie_count: int = 40
    last_tie_count: int = 800
    workdir: Path = Path("runs")
    report: Path = Path("report/index.html")
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)


def demo_truth() -> CmaaTruth:
    """The generating model: Model 3's terms (less edges and memory) with ``DEMO_TRUE_COEFS``."""
    return CmaaTruth(terms=f"{NETWORK_TERMS} + {COVARIATE_TERMS}", coefs=dict(DEMO_TRUE_COEFS))


def graph_holds_only_demo_data(graph: Graph) -> bool:
    """True when every loaded Source is synthetic (or nothing is loaded): the provenance rule of the export."""
    from customsnet.graph.erase import loaded_sources
    from customsnet.graph.provenance import synthetic_sources

    synthetic = set(synthetic_sources(graph))
    # the loader's own built-in Source ("customsnet": the EU's membership spell) is not user data
    return all(s["name"] in synthetic or s["name"] == "customsnet" for s in loaded_sources(graph))


def regions_from_graph(graph: Graph) -> dict[str, str]:
    return country_regions(graph)


def run_demo(
    graph: Graph,
    settings: DemoSettings,
    progress: Callable[[str], None] = print,
    reset: bool = False,
    bars: Progress | None = None,
) -> dict:
    """Run the whole demo; returns the run summary (also in ``<workdir>/<run_id>/run.json``).

    ``bars`` (``start(description, total) -> advance(n)``) follows the bootstraps with counts.
    """
    from customsnet.etl.countries import CountryResolver
    from customsnet.etl.detect import read_source
    from customsnet.etl.load import load_result
    from customsnet.etl.load_directory import load_directory
    from customsnet.graph import signals
    from customsnet.graph.schema import apply_schema, clear_database
    from customsnet.modeling.panel.export import export_panel
    from customsnet.report.build import build_report
    from customsnet.study.runs import store_run_in_graph

    started = time.perf_counter()
    if not graph_holds_only_demo_data(graph):
        if not reset:
            raise RuntimeError(
                "the graph holds non-demo sources; the demo would mix synthetic data into them. "
                "Rerun with --reset to clear the database first (or point NEO4J_URI at another server)."
            )
    clear_database(graph)
    apply_schema(graph)
    run_id = f"demo-{settings.seed}-{time.strftime('%Y%m%d-%H%M%S')}"
    run = RunDirectory.create(Path(settings.workdir) / run_id)
    run_dir = run.root
    data_dir = run.sources_dir
    stage: dict[str, float] = {}

    t = time.perf_counter()
    progress("building the synthetic world")
    world = build_world(DemoConfig(seed=settings.seed, n_countries=settings.n_countries))
    resolver = CountryResolver.embedded()
    frame = resolver.countries_frame(list(world.countries["iso3"]))
    cow_codes = {r.iso3: int(r.cow) for r in frame.itertuples(index=False) if not pd.isna(r.cow)}
    write_publisher_files(world, data_dir, cow_codes)
    stage["world"] = round(time.perf_counter() - t, 2)

    t = time.perf_counter()
    progress("loading the world's source files through the ETL")
    outcomes = load_directory(graph, data_dir, resolver=resolver, rejects_dir=run.rejects_dir)
    failed = [o for o in outcomes if o.error]
    if failed:
        raise RuntimeError(
            "demo sources failed to load: " + "; ".join(f"{o.file.path.name}: {o.error}" for o in failed)
        )
    stage["load"] = round(time.perf_counter() - t, 2)

    t = time.perf_counter()
    progress("simulating the CMAA network with the TERGM sampler (calibrating the formation intercept)")
    years = (world.config.first_year + 1, world.config.last_year)  # covariates are lagged one year
    covariate_panel = export_panel(graph, years=years)
    truth = demo_truth()
    intercept, nets = calibrate_intercept(
        covariate_panel,
        truth,
        settings.first_tie_count,
        settings.last_tie_count,
        seed=settings.seed,
        missing=settings.analysis.missing,
    )
    world.cmaa = pairs_from_networks(nets, covariate_panel.nodes)
    cmaa_file = write_cmaa_file(world, data_dir)
    load_result(graph, read_source("cmaa", cmaa_file, resolver), resolver=resolver, rejects_dir=run.rejects_dir)
    stage["simulate_cmaa"] = round(time.perf_counter() - t, 2)

    t = time.perf_counter()
    progress("computing network signals in Cypher and exporting the panel")
    degrees = signals.degrees(graph, *years)
    shared = signals.shared_partners(graph, *years)
    panel = export_panel(graph, years=years)
    _check_signals(panel, degrees, shared)
    stage["signals_export"] = round(time.perf_counter() - t, 2)

    truth_record = {
        "btergm": truth.btergm_coefs(),
        "formation": truth.formation_coefs(),
        "formation_intercept": intercept,
        "simulated_ties": {str(k): v for k, v in tie_counts(nets).items()},
        "note": "memory is +/-(25 - intercept)/2 so kept ties have log-odds 25: ties never dissolve, "
        "so btergm's edges and memory are not identified; edges - memory = the formation intercept.",
    }
    summary = run_analysis(
        panel,
        run,
        settings.analysis,
        regions_from_graph(graph),
        progress=progress,
        bars=bars,
        truth=truth_record,
        meta={"synthetic": True, "banner": SYNTHETIC_BANNER, "stage_seconds_pipeline": stage, "seed": settings.seed},
    )
    progress("storing the run in the graph and writing the report")
    store_run_in_graph(graph, run)
    build_report(run_dir, settings.report)
    summary["total_seconds"] = round(time.perf_counter() - started, 1)
    run.write_summary(summary)
    return summary


def _check_signals(panel, degrees: pd.DataFrame, shared: pd.DataFrame) -> None:
    """Cypher's degree and shared-partner counts must equal the exported adjacency's (an integrity check).

    Degree: the row sums; shared partners: the off-diagonal entries of A², for every pair Cypher
    lists (it lists pairs with at least one shared partner) and no pair it leaves out.
    """
    for year in panel.years:
        a = panel.network("CMAA", year)
        labels = panel.nodes[year]
        deg = dict(zip(labels, np.asarray(a.sum(axis=1)).ravel().astype(int)))
        d = degrees[degrees["year"] == year]
        bad = [c for c, v in zip(d["country"], d["degree"]) if deg.get(c, 0) != int(v)]
        if bad:
            raise RuntimeError(f"Cypher degree and exported panel disagree in {year} for {bad[:5]}")
        two_paths = (a @ a).tocoo()
        pairs = zip(two_paths.row, two_paths.col, two_paths.data)
        expected = {tuple(sorted((labels[i], labels[j]))): int(v) for i, j, v in pairs if i < j and v}
        s = shared[shared["year"] == year]
        got = {tuple(sorted((u, v))): int(c) for u, v, c in zip(s["source"], s["target"], s["shared"])}
        if got != expected:
            diff = sorted(set(got.items()) ^ set(expected.items()))[:5]
            raise RuntimeError(f"Cypher shared partners and exported panel disagree in {year}: {diff}")
