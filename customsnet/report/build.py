"""Build ``report/index.html`` from a run directory (no refitting): ``customsnet report RUN_ID``."""

from __future__ import annotations

import base64
from pathlib import Path

import pandas as pd

from customsnet.report.html import ReportSection, write_report
from customsnet.report.tables import side_by_side
from customsnet.study.rundir import RunDirectory


def _png_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _figures(run_dir: Path, names: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for stem, caption in names:
        p = run_dir / "figures" / f"{stem}.png"
        if p.is_file():
            out.append((caption, _png_uri(p)))
    return out


def _coefficients(run_dir: Path) -> dict[str, pd.DataFrame]:
    models = {}
    for name in ("Model 1", "Model 2", "Model 3", "Formation"):
        p = run_dir / "fits" / f"{name.replace(' ', '_')}_coefficients.csv"
        if p.is_file():
            models[name] = pd.read_csv(p, keep_default_na=True)
    return models


def coverage_table(model: pd.DataFrame, truth: dict[str, float]) -> pd.DataFrame:
    """Does each interval cover the generating value? (demo only)"""
    rows = []
    for r in model.itertuples(index=False):
        if r.term not in truth:
            continue
        finite = pd.notna(r.lower) and pd.notna(r.upper) and str(r.status) == "ok"
        rows.append(
            {
                "term": r.term,
                "true value": truth[r.term],
                "estimate": r.estimate,
                "2.5%": r.lower,
                "97.5%": r.upper,
                "covered": ("yes" if r.lower <= truth[r.term] <= r.upper else "no") if finite else f"n/a ({str(r.status).split(':')[0]})",
            }
        )
    return pd.DataFrame(rows)


def build_report(run_dir: str | Path, out_path: str | Path) -> Path:
    """Assemble the self-contained HTML report of a run."""
    run = RunDirectory(run_dir)
    run_dir = run.root
    summary = run.summary()
    models = _coefficients(run_dir)
    truth = summary.get("truth") or {}
    synthetic = bool(summary.get("synthetic"))
    sections: list[ReportSection] = []

    formulas = summary.get("formulas", {})
    ties = summary.get("ties", {})
    overview = pd.DataFrame(
        {"year": list(ties), "parties": [summary["n_nodes"].get(y) for y in ties], "ties in place": list(ties.values())}
    )
    sections.append(
        ReportSection(
            "Data and models",
            text="\n\n".join(f"{k}: {v}" for k, v in formulas.items())
            + "\n\nFormation: Model 3 without memory, fitted on the dyads untied the year before (the risk set); "
            "its edges coefficient estimates btergm's edges − memory.",
            tables=[("Network size per year (the outcome network as exported from Neo4j)", overview.iloc[:: max(1, len(overview) // 8)])],
        )
    )
    table = side_by_side(models, truth.get("btergm") if synthetic else None)
    sections.append(
        ReportSection(
            "Coefficients (Table A3 layout)",
            text="Estimate* [2.5%; 97.5%] from the bootstrap over time steps; * the interval excludes 0. "
            "'not identified' marks terms whose maximum pseudolikelihood estimate does not exist (ties never dissolve: "
            "edges and memory separate; only edges − memory is identified, which the formation model estimates).",
            tables=[("", table)],
            figures=_figures(run_dir, [("coefficients", "Estimates with 95% bootstrap intervals" + (" (red: true values)" if synthetic else ""))]),
        )
    )
    if synthetic and truth:
        cov3 = coverage_table(models.get("Model 3", pd.DataFrame(columns=["term"])), truth.get("btergm", {}))
        covf = coverage_table(models.get("Formation", pd.DataFrame(columns=["term"])), truth.get("formation", {}))
        sections.append(
            ReportSection(
                "Recovery of the true parameters (synthetic demo)",
                text=f"The CMAA network was simulated with these values (formation intercept {truth.get('formation_intercept', float('nan')):.3f}). "
                "A 95% interval should cover the true value for most terms.",
                tables=[("Model 3", cov3), ("Formation model", covf)],
            )
        )
    pred = run_dir / "prediction.csv"
    if pred.is_file():
        sections.append(
            ReportSection(
                f"Out-of-sample prediction (train {summary['settings']['train'][0]}–{summary['settings']['train'][1]}, test {summary['settings']['test_year']})",
                text="btergm mode reproduces gof(..., rocpr): chains start at the target network, which leaks it into the scores. "
                "The honest mode uses nothing from the test year. 'new' columns restrict to dyads untied the year before.",
                tables=[("", pd.read_csv(pred))],
                figures=_figures(run_dir, [("roc_pr_all", "ROC and PR curves, all dyads"), ("roc_pr_new_ties", "ROC and PR curves, new ties only")]),
            )
        )
    gof = run_dir / "gof.csv"
    if gof.is_file():
        sections.append(
            ReportSection(
                "Goodness of fit (Model 3, simulated from the year before)",
                figures=_figures(run_dir, [("gof", "Observed (line) vs simulated (boxes): degree, edgewise and dyadwise shared partners, geodesics")]),
            )
        )
    interp = summary.get("interpretation", {})
    sections.append(
        ReportSection(
            "Predicted probabilities",
            text=("Difference in mean predicted probability with an MLAT vs without: "
                  f"{interp['mlat'].get('difference', float('nan')):+.3f}." if "mlat" in interp else ""),
            figures=_figures(run_dir, [("predicted_probabilities", "Average predicted tie probability by shared partners and by degree")]),
        )
    )
    sections.append(ReportSection("The network over time (hive plots)", figures=_figures(run_dir, [("hive", "Hive plots: axes are world regions, radius is degree")])))
    partners = run_dir / "predicted_partners.csv"
    if partners.is_file():
        top = pd.read_csv(partners).sort_values("probability", ascending=False)
        # each pair appears once per side (it is in both countries' top lists): show it once
        pair = top[["iso3", "partner"]].apply(lambda r: tuple(sorted(r)), axis=1)
        top = top[~pair.duplicated()].head(15).rename(columns={"iso3": "country", "rank": "rank for country"})
        sections.append(ReportSection("Which agreements does the model expect next?", tables=[("Highest predicted new ties (formation model)", top)]))
    stage = {**summary.get("stage_seconds_pipeline", {}), **summary.get("stage_seconds", {})}
    if stage:
        sections.append(ReportSection("Run", tables=[("Wall time per stage (s)", pd.DataFrame({"stage": list(stage), "seconds": list(stage.values())}))]))
    banner = summary.get("banner", "") if synthetic else ""
    title = "customsnet report" + (" — SYNTHETIC demo" if synthetic else "")
    subtitle = f"run {summary['run_id']} · customsnet {summary.get('software_version')} · created {summary.get('created')}"
    return write_report(out_path, title, sections, banner=banner, subtitle=subtitle)
