"""``customsnet sensitivity | timetrend`` as library calls: refits that probe a model's robustness."""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from customsnet.modeling.parallel import Progress
from customsnet.workflows.inputs import (
    DEFAULT_ESTIMATOR,
    PanelSource,
    open_panel,
    resolve_formula,
    resolve_formula_names,
)


@dataclass
class SensitivityOutcome:
    study: Any  # tidy table: share, rep, term, estimate, lower, upper (finished refits only)
    summary: Any  # per share and term
    failed: list[dict]  # refits that failed: share, rep, error
    files: list[Path]
    messages: list[str] = field(default_factory=list)


def sensitivity_fits(shares: Sequence[float], reps: int) -> int:
    """How many fits a study makes: the baseline plus ``reps`` per positive share."""
    return 1 + reps * sum(s > 0 for s in shares)


def run_sensitivity(
    source: PanelSource,
    formula: str | None,
    out: Path,
    shares: Sequence[float],
    reps: int = 1,
    scheme: str = "events",
    estimator: str = DEFAULT_ESTIMATOR,
    bootstrap: int = 0,
    seed: int = 1,
    level: float = 0.95,
    terms: str | Sequence[str] = "network",
    jobs: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> SensitivityOutcome:
    """Refit with ``shares`` of the outcome ties rewired; CSV tables, settings JSON and figure in ``out``.

    The refits run on ``jobs`` processes or the Dask ``scheduler``; ``progress`` counts finished fits.
    A refit that fails is listed in ``sensitivity_failed.csv`` and the settings; the others are kept.
    """
    import pandas as pd

    from customsnet.modeling.evaluation.sensitivity import (
        plot_sensitivity,
        rewiring_study,
        summarize_study,
    )

    formula = resolve_formula(formula, source)
    panel = open_panel(source)
    formula, notes = resolve_formula_names(formula, panel)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        study = rewiring_study(
            panel,
            formula,
            shares=list(shares),
            reps=reps,
            scheme=scheme,
            estimator=estimator,
            bootstrap=bootstrap,
            seed=seed,
            level=level,
            terms=terms,
            n_jobs=jobs,
            missing=source.missing,
            scheduler=scheduler,
            progress=progress,
        )
    failed = list(study.attrs.get("failed", []))
    out.mkdir(parents=True, exist_ok=True)
    files = [out / "sensitivity.csv", out / "sensitivity_summary.csv", out / "sensitivity_settings.json"]
    study.to_csv(files[0], index=False)
    summary = summarize_study(study)
    summary.to_csv(files[1], index=False)
    # the CSV cannot carry the settings, and the seeds must be recorded with the results
    settings = {**study.attrs, "panel": source.describe(), "missing": source.missing, "shares": list(shares)}
    files[2].write_text(json.dumps(settings, indent=1))
    if failed:
        files.append(out / "sensitivity_failed.csv")
        pd.DataFrame(failed, columns=["share", "rep", "error"]).to_csv(files[-1], index=False)
    files += plot_sensitivity(study, out / "sensitivity")
    messages = [*notes, *(str(w.message) for w in caught)]
    messages += [
        f"refit at share {f['share']:g}, repetition {f['rep']} failed and is left out: {f['error']}" for f in failed
    ]
    return SensitivityOutcome(study, summary, failed, files, messages)


@dataclass
class TimetrendOutcome:
    results: dict[str, Any]  # model key -> modeling.timetrend.TimeTrendResult (one per covariate, or "joint")
    table: Any
    files: list[Path]
    fits: list[Path]  # the saved fit.json of each model (for `customsnet table`)
    messages: list[str] = field(default_factory=list)


def run_timetrend(
    source: PanelSource,
    formula: str | None,
    covariates: Sequence[str],
    out: Path,
    estimator: str = DEFAULT_ESTIMATOR,
    bootstrap: int = 100,
    seed: int = 1,
    level: float = 0.95,
    jobs: int = 1,
    joint: bool = False,
) -> TimetrendOutcome:
    """Covariate x linear time models (timecov): one per covariate (Table A5) or one ``joint`` model.

    Saves each model's fit, the tables and the effect plot in ``out``.
    """
    import pandas as pd

    from customsnet.modeling.evaluation.plots import save_figure
    from customsnet.modeling.evaluation.timetrend import TimeTrendStudy, effects_figure, fit_timetrend, fit_timetrends

    formula = resolve_formula(formula, source)
    panel = open_panel(source)
    formula, notes = resolve_formula_names(formula, panel)
    names = list(covariates)
    # the joint model and the per-covariate models are fitted alike
    settings = dict(
        estimator=estimator, bootstrap=bootstrap, seed=seed, level=level, n_jobs=jobs, missing=source.missing
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if joint:
            study = TimeTrendStudy({"joint": fit_timetrend(panel, formula, names, **settings)})
        else:
            study = fit_timetrends(panel, formula, names, **settings)
        table = pd.concat([r.table(level).assign(model=key) for key, r in study.results.items()], ignore_index=True)
        over = pd.concat(
            [
                r.effect_over_time(t.covariate, level).assign(covariate=t.covariate, model=key)
                for key, r in study.results.items()
                for t in r.trends
            ],
            ignore_index=True,
        )
    out.mkdir(parents=True, exist_ok=True)
    fits = []
    for key, result in study.results.items():
        result.fit.meta["panel"] = source.describe()
        result.fit.meta["model"] = key if joint else f"{key} x time"
        fits.append(result.fit.save(out / f"timetrend_fit_{key}")[0])
    table.to_csv(out / "timetrend.csv", index=False)
    over.to_csv(out / "timetrend_effects.csv", index=False)
    figures = save_figure(
        effects_figure([(r, t) for r in study.results.values() for t in r.trends], level), out / "timetrend_effects"
    )
    shown = {w for r in study.results.values() for w in r.fit.warnings}
    messages = [*notes, *(m for m in dict.fromkeys(str(w.message) for w in caught) if m not in shown)]
    return TimetrendOutcome(
        study.results, table, [out / "timetrend.csv", out / "timetrend_effects.csv", *figures], fits, messages
    )
