"""CLI commands: ``demo`` (synthetic world end to end), ``run`` (real sources), ``report`` (rebuild)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from customsnet.commands.progress import task_bars
from customsnet.config import Settings


def _progress_printer(quiet: bool):
    started = time.perf_counter()

    def progress(message: str) -> None:
        if not quiet:
            click.echo(f"[{time.perf_counter() - started:6.1f}s] {message}", err=True)

    return progress


def _connect(start: bool, progress):
    from customsnet.graph import runtime
    from customsnet.graph.connection import Graph

    settings = Settings.from_env()
    if start and not settings.external:
        runtime.start(settings, report=progress)
    return Graph.connect(settings)


def _analysis_settings(bootstrap: int, seed: int, jobs: int, gof_nsim: int, predict_nsim: int):
    from customsnet.study.analysis import AnalysisSettings

    return AnalysisSettings(bootstrap=bootstrap, seed=seed, n_jobs=jobs, gof_nsim=gof_nsim, predict_nsim=predict_nsim)


@click.command("demo")
@click.option(
    "--seed", default=20240601, show_default=True, help="Seed of the synthetic world and of every random step."
)
@click.option(
    "--countries",
    "n_countries",
    type=int,
    default=None,
    help="Use a seeded subset of N countries (default: all UN members).",
)
@click.option("--bootstrap", default=100, show_default=True, help="Bootstrap replications R per model.")
@click.option("--jobs", default=2, show_default=True, help="Threads for the fits.")
@click.option("--gof-nsim", default=50, show_default=True, help="Simulated networks per GOF year.")
@click.option("--predict-nsim", default=100, show_default=True, help="Simulated networks for out-of-sample prediction.")
@click.option(
    "--ties",
    "tie_targets",
    default="40,800",
    show_default=True,
    help="Calibration targets: ties in the first and last year.",
)
@click.option("--workdir", type=click.Path(path_type=Path), default=Path("runs"), show_default=True)
@click.option(
    "--report", "report_path", type=click.Path(path_type=Path), default=Path("report/index.html"), show_default=True
)
@click.option("--reset", is_flag=True, help="Clear a database that holds non-demo data first.")
@click.option("--no-start", is_flag=True, help="Do not start the managed Neo4j server.")
@click.pass_context
def demo_command(
    ctx, seed, n_countries, bootstrap, jobs, gof_nsim, predict_nsim, tie_targets, workdir, report_path, reset, no_start
):
    """Build the SYNTHETIC demo world, load it through the ETL, fit Models 1-3 and write the report."""
    from customsnet.demo.pipeline import DemoSettings, run_demo

    progress = _progress_printer(ctx.obj.get("quiet", False))
    first, last = (int(v) for v in tie_targets.split(","))
    settings = DemoSettings(
        seed=seed,
        n_countries=n_countries,
        first_tie_count=first,
        last_tie_count=last,
        workdir=workdir,
        report=report_path,
        analysis=_analysis_settings(bootstrap, seed % 2**31, jobs, gof_nsim, predict_nsim),
    )
    with _connect(not no_start, progress) as graph, task_bars() as bars:
        summary = run_demo(graph, settings, progress=progress, reset=reset, bars=bars)
    click.echo(f"run {summary['run_id']}: report written to {report_path} ({summary['total_seconds']} s)")
    click.echo("SYNTHETIC data: every attribute and agreement of the demo world was simulated.")


@click.command("report")
@click.argument("run_id")
@click.option("--workdir", type=click.Path(path_type=Path), default=Path("runs"), show_default=True)
@click.option(
    "--out", "out_path", type=click.Path(path_type=Path), default=Path("report/index.html"), show_default=True
)
@click.option("--store", is_flag=True, help="Also (re)write the run's ModelRun nodes into the graph.")
def report_command(run_id, workdir, out_path, store):
    """Rebuild the HTML report of RUN_ID (a run id under --workdir, a path, or 'latest')."""
    from customsnet.report.build import build_report
    from customsnet.study.runs import find_run, store_run_in_graph

    run_dir = find_run(run_id, workdir)
    path = build_report(run_dir, out_path)
    if store:
        from customsnet.graph.connection import Graph

        with Graph.connect() as graph:
            store_run_in_graph(graph, run_dir)
    click.echo(f"report of {run_dir.name} written to {path}")


@click.command("run")
@click.option(
    "--sources",
    "sources_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="Directory of source files (e.g. ../shared/data plus your CMAA list).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON config: years, formulas, covariate_terms, undated, precedence, missing, bootstrap, ... "
    "(docs/run-config.md).",
)
@click.option(
    "--undated",
    type=click.Choice(["exclude", "in_force", "error"]),
    default=None,
    help="Agreements without a signing year: leave out (config default: exclude), date by entry into "
    "force, or refuse. Overrides the config.",
)
@click.option(
    "--keep-synthetic",
    is_flag=True,
    default=None,
    help="Keep demo (synthetic) sources in the graph instead of unloading them; the run is labelled synthetic.",
)
@click.option("--workdir", type=click.Path(path_type=Path), default=Path("runs"), show_default=True)
@click.option(
    "--report", "report_path", type=click.Path(path_type=Path), default=Path("report/index.html"), show_default=True
)
@click.option("--no-load", is_flag=True, help="Use what the graph holds; do not load --sources again.")
@click.option("--no-start", is_flag=True, help="Do not start the managed Neo4j server.")
@click.pass_context
def run_command(ctx, sources_dir, config_path, undated, keep_synthetic, workdir, report_path, no_load, no_start):
    """Load real source files, report which model terms can be estimated, fit what can be, write the report.

    Synthetic (demo) sources found in the graph are unloaded first, unless --keep-synthetic.
    """
    from customsnet.study.real_run import RunConfig, run_real

    progress = _progress_printer(ctx.obj.get("quiet", False))
    config = RunConfig.from_file(config_path) if config_path else RunConfig()
    if undated:
        config.undated = undated
    if keep_synthetic:
        config.keep_synthetic = True
    config.validate("--config/--undated")
    with _connect(not no_start, progress) as graph, task_bars() as bars:
        outcome = run_real(
            graph, sources_dir, config, workdir, report_path, load=not no_load, progress=progress, bars=bars
        )
    click.echo(json.dumps(outcome["estimability"], indent=2))
    for kind, u in outcome.get("undated", {}).items():
        if u.get("relationships"):
            click.echo(f"undated {kind} (policy {u['policy']}): {u['why']}")
    for variable, choice in outcome.get("observation_sources", {}).items():
        if len(choice.get("sources", [])) > 1:
            click.echo(
                f"{variable}: {' > '.join(choice['sources'])} ({choice['rule']}); values from "
                + ", ".join(f"{src}: {n}" for src, n in choice["values_from"].items())
            )
    for name in outcome.get("removed_synthetic_sources", []):
        click.echo(f"unloaded synthetic source {name}")
    for warning in outcome.get("warnings", []):
        click.echo(f"warning: {warning}")
    click.echo(
        "SYNTHETIC: facts from synthetic sources were used"
        if outcome.get("synthetic")
        else "real data only: no fact came from a synthetic source"
    )
    if outcome.get("report"):
        click.echo(f"report written to {outcome['report']}")
