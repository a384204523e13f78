"""Build ``report/index.html`` from a run directory (no refitting): ``customsnet report RUN_ID``.

One section per part of the study: data and models, Table A3, Figure 7, out-of-sample
prediction (Figure 8), goodness of fit (Figure A1), predicted probabilities (Figure 9), hive
plots (Figure 5), time trends (Table A5), rewiring sensitivity (Figure A2), then the expected
agreements and a glossary of btergm's names. A synthetic demo adds the recovery of the true
values; a real run has no synthetic columns. Sections whose files a run lacks are left out.
"""

from __future__ import annotations

import base64
import warnings
from pathlib import Path

import pandas as pd

from customsnet.modeling.results import FitResult, is_estimated
from customsnet.report.html import ReportSection, write_report
from customsnet.report.tables import regression_table
from customsnet.study.rundir import RunDirectory

MODEL_NAMES = ("Model 1", "Model 2", "Model 3", "Formation")

#: btergm / ROCR / ergm names a reader meets in the tables, in plain words
GLOSSARY = {
    "edges": "the intercept: log-odds of a tie between two parties with all other statistics at zero.",
    "edgecov.memory[[i]] (memory, stability)": "+1 for a dyad tied the year before, −1 for one untied: how strongly "
    "ties persist.",
    "edges − memory": "log-odds of a new tie between two parties not tied the year before (what the formation model's "
    "intercept estimates).",
    "gwesp.fixed.0.5": "geometrically weighted edgewise shared partners: the pull towards closing triangles "
    "(decay 0.5).",
    "gwdeg.fixed.0.1": "geometrically weighted degree: negative values mean ties spread out over many parties, "
    "positive values mean they concentrate on a few hubs.",
    "edgecov.X[[i]]": "a dyadic covariate X (e.g. mlat: both parties have a mutual legal assistance treaty).",
    "absdiff.X": "the absolute difference of a country attribute X between the two parties.",
    "edgecov.timecovK.X[[i]]": "the interaction of covariate X with linear time (Table A5).",
    "n.i.": "not identified: the estimate does not exist (e.g. ties that never dissolve separate edges and memory).",
    "auc.roc / ROC-AUC": "area under the ROC curve: the chance that a random tie scores above a random non-tie "
    "(0.5 = guessing). btergm's auc.roc and scikit-learn's roc_auc are the same number.",
    "auc.pr (btergm)": "area under btergm's precision–recall curve (Davis–Goadrich interpolation); "
    "not the same as average precision.",
    "average precision": "scikit-learn's area under the precision–recall step curve; a random score gets the share of "
    "ties.",
    "rgraph": "btergm's baseline: random graphs of the observed density.",
    "Log pseudo-likelihood, pseudo-AIC/BIC": "from the logistic (MPLE) likelihood, which ignores the dependence among "
    "dyads: compare models fitted to the same dyads only, and as a rough guide.",
}


#: one line in words under each figure (by figure file stem)
CAPTIONS = {
    "coefficients": (
        "Estimates with 95% bootstrap intervals, one colour per model; a filled dot means the interval excludes 0."
    ),
    "roc_pr_all": "ROC and precision-recall curves on all dyads; solid: btergm recipe, dashed: honest prediction.",
    "roc_pr_new_ties": "The same curves on the new ties only (dyads untied the year before).",
    "gof": "Observed shares (black line) against simulated ones (boxes, one colour per model): degree, edgewise and "
    "dyadwise shared partners, geodesic distances with the unreachable pairs in their own bin.",
    "predicted_probabilities": "Average predicted tie probability by number of shared partners and by degree, "
    "with 95% bootstrap intervals.",
    "hive": "Hive plots: one axis per world region, distance from the centre grows with degree; the most-tied "
    "parties are named.",
    "timetrend": "Implied effect of each covariate per year (main effect + interaction × time) with its 95% "
    "bootstrap interval.",
    "sensitivity": "Estimate against the share of ties rewired: mean over repetitions (line) and its spread (band); "
    "dashed: the observed data.",
}
#: what a synthetic run's figures add
SYNTHETIC_CAPTIONS = {"coefficients": " Red ticks: the true values."}


def _png_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _figures(run_dir: Path, stems: list[str], synthetic: bool = False) -> list[tuple[str, str]]:
    """(caption, data URI) of the run's figures that exist, in order."""
    out = []
    for stem in stems:
        p = run_dir / "figures" / f"{stem}.png"
        if p.is_file():
            caption = CAPTIONS[stem] + (SYNTHETIC_CAPTIONS.get(stem, "") if synthetic else "")
            out.append((caption, _png_uri(p)))
    return out


def load_fits(run_dir: Path) -> dict[str, FitResult]:
    """The run's saved fits by model name (Models 1-3, Formation), in that order."""
    fits = {}
    for name in MODEL_NAMES:
        p = run_dir / "fits" / f"{name.replace(' ', '_')}.json"
        if p.is_file():
            fits[name] = FitResult.load(p)
    return fits


def coverage_table(fit: FitResult | None, truth: dict[str, float]) -> pd.DataFrame:
    """Does each interval cover the generating value? (demo only)"""
    if fit is None:
        return pd.DataFrame()
    rows = []
    for r in fit.tidy().itertuples(index=False):
        if r.term not in truth:
            continue
        finite = pd.notna(r.lower) and pd.notna(r.upper) and is_estimated(r.status)
        rows.append(
            {
                "term": r.term,
                "true value": truth[r.term],
                "estimate": r.estimate,
                "interval from": r.lower,
                "to": r.upper,
                "covered": ("yes" if r.lower <= truth[r.term] <= r.upper else "no")
                if finite
                else f"n/a ({str(r.status).split(':')[0]})",
            }
        )
    return pd.DataFrame(rows)


def prediction_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The out-of-sample metrics with plain column names (btergm's auc.roc equals ROC-AUC: shown once)."""
    method = frame["mode"].map(lambda m: "btergm recipe" if m == "btergm" else f"honest ({m.split(':', 1)[1]})")
    out = pd.DataFrame({"model": frame["label"], "method": method})
    columns = [
        ("roc_auc", "ROC-AUC, all dyads"),
        ("btergm auc.pr", "btergm PR-AUC, all"),
        ("average_precision", "avg. precision, all"),
        ("new ties: roc_auc", "ROC-AUC, new ties"),
        ("new ties: btergm auc.pr", "btergm PR-AUC, new"),
        ("new ties: average_precision", "avg. precision, new"),
        ("new ties", "new ties"),
    ]
    for key, label in columns:
        if key in frame.columns:
            out[label] = frame[key]
    return out


def prediction_text(frame: pd.DataFrame) -> str:
    """The btergm-recipe vs honest difference in words, per model."""
    sentences = []
    for label, rows in frame.groupby("label", sort=False):
        leaky = rows[rows["mode"] == "btergm"]
        honest = rows[rows["mode"] != "btergm"]
        if leaky.empty or honest.empty:
            continue
        a, b = leaky.iloc[0], honest.iloc[0]
        text = (
            f"{label}: the btergm recipe reaches ROC-AUC {a['roc_auc']:.3f} on all dyads, the honest prediction "
            f"{b['roc_auc']:.3f}"
        )
        if (
            "new ties: roc_auc" in frame.columns
            and pd.notna(a.get("new ties: roc_auc"))
            and pd.notna(b.get("new ties: roc_auc"))
        ):
            text += (
                f"; on the new ties alone {a['new ties: roc_auc']:.3f} against {b['new ties: roc_auc']:.3f} "
                f"(average precision {a['new ties: average_precision']:.3f} against "
                f"{b['new ties: average_precision']:.3f})"
            )
        sentences.append(text + ".")
    return " ".join(sentences)


def _regression_html(fits: dict[str, FitResult], caption: str, terms: list[str] | None = None) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # incomplete-replicate warnings were given when fitting
        return regression_table(fits, terms=terms).to_html(caption=caption)


def _glossary_html() -> str:
    import html

    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in GLOSSARY.items())
    return f"<dl class='glossary'>{items}</dl>"


def build_report(run_dir: str | Path, out_path: str | Path) -> Path:
    """Assemble the self-contained HTML report of a run."""
    run = RunDirectory(run_dir)
    run_dir = run.root
    summary = run.summary()
    fits = load_fits(run_dir)
    truth = summary.get("truth") or {}
    synthetic = bool(summary.get("synthetic"))
    sections = [
        _data_section(summary),
        *_coefficient_sections(run_dir, fits, synthetic),
        *(_recovery_section(fits, truth) if synthetic and truth else []),
        *_prediction_sections(run_dir, summary),
        *_hive_and_trend_sections(run_dir, summary),
        *_partner_sections(run_dir),
        ReportSection(
            "Glossary",
            text="btergm's coefficient and metric names, in words.",
            html_body=_glossary_html(),
            anchor="glossary",
        ),
    ]
    stage = {**summary.get("stage_seconds_pipeline", {}), **summary.get("stage_seconds", {})}
    if stage:
        sections.append(
            ReportSection(
                "Run",
                tables=[
                    ("Wall time per stage (s)", pd.DataFrame({"stage": list(stage), "seconds": list(stage.values())}))
                ],
                anchor="run",
            )
        )
    banner = summary.get("banner", "") if synthetic else ""
    title = "customsnet report" + (" — SYNTHETIC demo" if synthetic else "")
    subtitle = (
        f"run {summary['run_id']} · customsnet {summary.get('software_version')} · created {summary.get('created')}"
    )
    return write_report(out_path, title, sections, banner=banner, subtitle=subtitle)


def _data_section(summary: dict) -> ReportSection:
    formulas = summary.get("formulas", {})
    ties = summary.get("ties", {})
    overview = pd.DataFrame(
        {"year": list(ties), "parties": [summary["n_nodes"].get(y) for y in ties], "ties in place": list(ties.values())}
    )
    return ReportSection(
        "Data and models",
        text="\n\n".join(f"{k}: {v}" for k, v in formulas.items())
        + "\n\nFormation: Model 3 without memory, fitted on the dyads untied the year before (the risk set); "
        "its edges coefficient estimates btergm's edges − memory.",
        tables=[
            (
                "Network size per year (the outcome network as exported from Neo4j)",
                overview.iloc[:: max(1, len(overview) // 8)],
            )
        ],
        anchor="data",
    )


def _coefficient_sections(run_dir: Path, fits: dict[str, FitResult], synthetic: bool) -> list[ReportSection]:
    if not fits:
        return []
    table = ReportSection(
        "Coefficients (Table A3)",
        text="Bootstrapped MPLE, bootstrap over time steps. Each cell: the estimate with stars, below it the bootstrap "
        "standard error. Stars follow btergm's rule: the bootstrap interval (95%, 99%, 99.9%) excludes 0. "
        "n.i. marks terms whose estimate does not exist (ties never dissolve: edges and memory separate; only "
        "edges − memory is identified, and the formation model estimates it in that row).",
        html_body=_regression_html(fits, "Table A3: Models 1–3 and the formation model"),
        anchor="table-a3",
    )
    figs = _figures(run_dir, ["coefficients"], synthetic)
    if not figs:
        return [table]
    return [table, ReportSection("Coefficient plot (Figure 7)", figures=figs, anchor="figure-7")]


def _recovery_section(fits: dict[str, FitResult], truth: dict) -> list[ReportSection]:
    cov3 = coverage_table(fits.get("Model 3"), truth.get("btergm", {}))
    covf = coverage_table(fits.get("Formation"), truth.get("formation", {}))
    return [
        ReportSection(
            "Recovery of the true parameters (synthetic demo)",
            text=f"The CMAA network was simulated with these values "
            f"(formation intercept {truth.get('formation_intercept', float('nan')):.3f}). "
            "A 95% interval should cover the true value for most terms.",
            tables=[("Model 3", cov3), ("Formation model", covf)],
            anchor="recovery",
        )
    ]


def _prediction_sections(run_dir: Path, summary: dict) -> list[ReportSection]:
    out = []
    pred = run_dir / "prediction.csv"
    if pred.is_file():
        frame = pd.read_csv(pred)
        train = summary.get("settings", {}).get("train", ["?", "?"])
        test = summary.get("settings", {}).get("test_year", "?")
        out.append(
            ReportSection(
                f"Out-of-sample prediction (Figure 8; train {train[0]}–{train[1]}, test {test})",
                text="The btergm recipe (gof(..., rocpr)) starts its simulations "
                "at the test-year network itself, so the "
                "scores already contain the answer; the honest prediction uses nothing from the test year. "
                + prediction_text(frame)
                + " 'New ties' are the dyads untied the year before: predicting them is the hard part.",
                tables=[("Prediction metrics (glossary below)", prediction_table(frame))],
                figures=_figures(run_dir, ["roc_pr_all", "roc_pr_new_ties"]),
                anchor="prediction",
            )
        )
    if (run_dir / "gof.csv").is_file():
        models = list(dict.fromkeys(pd.read_csv(run_dir / "gof.csv").get("model", pd.Series(["Model 3"]))))
        out.append(
            ReportSection(
                "Goodness of fit (Figure A1)",
                text=f"{' and '.join(map(str, models))}, simulated from the year before "
                "(nothing from the evaluated year is used).",
                figures=_figures(run_dir, ["gof"]),
                anchor="gof",
            )
        )
    interp = summary.get("interpretation", {})
    figs = _figures(run_dir, ["predicted_probabilities"])
    if figs:
        out.append(
            ReportSection(
                "Predicted probabilities (Figure 9)",
                text=(
                    "Difference in mean predicted probability with an MLAT vs without: "
                    f"{interp['mlat'].get('difference', float('nan')):+.3f}."
                    if "mlat" in interp
                    else ""
                ),
                figures=figs,
                anchor="probabilities",
            )
        )
    return out


def _hive_and_trend_sections(run_dir: Path, summary: dict) -> list[ReportSection]:
    out = []
    figs = _figures(run_dir, ["hive"])
    if figs:
        out.append(ReportSection("The network over time (hive plots, Figure 5)", figures=figs, anchor="hive"))
    trend_dir = run_dir / "timetrend"
    if trend_dir.is_dir() and (run_dir / "timetrend.csv").is_file():
        trends = pd.read_csv(run_dir / "timetrend.csv")
        fits = {}
        for cov in dict.fromkeys(trends["covariate"]):
            p = trend_dir / f"timetrend_{cov}.json"
            if p.is_file():
                fits[f"{cov} x time"] = FitResult.load(p)
        if fits:
            out.append(
                ReportSection(
                    "Time trends (Table A5)",
                    text="One model per covariate: Model 3 plus that covariate's interaction with linear time "
                    "(btergm's timecov). A positive interaction means the effect grows over the years.",
                    html_body=_regression_html(
                        fits,
                        "Table A5: covariate × time, one model per covariate",
                        terms=list(dict.fromkeys(trends["term"])),
                    ),
                    figures=_figures(run_dir, ["timetrend"]),
                    anchor="time-trends",
                )
            )
    if (run_dir / "sensitivity_summary.csv").is_file():
        table = sensitivity_table(pd.read_csv(run_dir / "sensitivity_summary.csv"))
        out.append(
            ReportSection(
                "Sensitivity to rewired ties (Figure A2)",
                text="Model 3 refitted after moving a share of the CMAA ties to random untied dyads: a network effect "
                "that is real should weaken towards 0 as more ties are random.",
                tables=[("Mean estimate (sd over repetitions) of the network terms by share of ties rewired", table)],
                figures=_figures(run_dir, ["sensitivity"]),
                anchor="sensitivity",
            )
        )
    return out


def sensitivity_table(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per share, one column per term: "mean (sd)"; terms never estimated are left out."""
    summary = summary[summary.groupby("term")["estimate"].transform(lambda v: v.notna().any())]
    cell = [
        f"{e:.3f}" + (f" ({s:.3f})" if pd.notna(s) else "") if pd.notna(e) else ""
        for e, s in zip(summary["estimate"], summary["sd"])
    ]
    wide = summary.assign(cell=cell).pivot(index="share", columns="term", values="cell")
    wide = wide[list(dict.fromkeys(summary["term"]))]
    reps = summary.groupby("share")["reps"].max()
    wide.insert(0, "repetitions", reps.reindex(wide.index).astype(int))
    return wide.reset_index().rename(columns={"share": "share rewired"}).rename_axis(columns=None)


def _partner_sections(run_dir: Path) -> list[ReportSection]:
    partners = run_dir / "predicted_partners.csv"
    if not partners.is_file():
        return []
    top = pd.read_csv(partners).sort_values("probability", ascending=False)
    # each pair appears once per side (it is in both countries' top lists): show it once
    pair = top[["iso3", "partner"]].apply(lambda r: tuple(sorted(r)), axis=1)
    top = top[~pair.duplicated()].head(15).rename(columns={"iso3": "country", "rank": "rank for country"})
    return [
        ReportSection(
            "Which agreements does the model expect next?",
            tables=[("Highest predicted new ties (formation model)", top)],
            anchor="expected",
        )
    ]
