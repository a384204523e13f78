"""Run directories (``runs/<run_id>/``) and their copy in the graph.

A run directory holds everything an analysis produced (``run.json``, ``fits/*.json`` and
``*_coefficients.csv``, ``predicted_partners.csv``, figures). This module finds runs and stores
a run's models, coefficients and predicted partners in Neo4j as ``ModelRun`` nodes.
"""

from __future__ import annotations

from pathlib import Path

from customsnet.graph.connection import Graph
from customsnet.graph.results import write_model_run, write_predicted_partners
from customsnet.study.rundir import RunDirectory

DEFAULT_WORKDIR = Path("runs")


def find_run(run_id: str, workdir: str | Path = DEFAULT_WORKDIR) -> Path:
    """The directory of ``run_id`` (an id under ``workdir`` or a path); 'latest' picks the newest."""
    workdir = Path(workdir)
    if run_id == "latest":
        runs = sorted((p for p in workdir.glob("*/run.json")), key=lambda p: p.stat().st_mtime)
        if not runs:
            raise FileNotFoundError(f"no runs under {workdir}/")
        return runs[-1].parent
    for candidate in (Path(run_id), workdir / run_id):
        if (candidate / "run.json").is_file():
            return candidate
    raise FileNotFoundError(f"no run {run_id!r}: expected {workdir / run_id}/run.json")


def store_run_in_graph(graph: Graph, run_dir: str | Path | RunDirectory) -> list[str]:
    """Write one ``ModelRun`` per fitted model (id ``<run_id>/<model>``) and the predicted partners."""
    run = run_dir if isinstance(run_dir, RunDirectory) else RunDirectory(Path(run_dir))
    summary = run.summary()
    run_id = summary["run_id"]
    settings = summary.get("settings", {})
    ids = []
    for model in run.models():
        fit_json = run.fit_json(model)
        coefs = run.coefficients(model).to_dict(orient="records")
        model_id = f"{run_id}/{model}"
        write_model_run(
            graph,
            {
                "id": model_id,
                "run": run_id,
                "model": model,
                "formula": fit_json.get("formula", ""),
                "estimator": fit_json.get("estimator", ""),
                "years": f"{summary['years'][0]}-{summary['years'][1]}",
                "time_steps": len(fit_json.get("years", [])),
                "R": int(settings.get("bootstrap", 0)),
                "seed": settings.get("seed"),
                "created": summary.get("created"),
                "software_version": summary.get("software_version"),
                # from the run's provenance (any fact from a synthetic source), not from the command
                "synthetic": bool(summary.get("synthetic", False)),
            },
            coefs,
        )
        ids.append(model_id)
    partners = run.predicted_partners()
    if partners is not None and ids:
        formation = next((i for i in ids if i.endswith("/Formation")), ids[-1])
        write_predicted_partners(graph, formation, partners.to_dict(orient="records"))
    return ids
