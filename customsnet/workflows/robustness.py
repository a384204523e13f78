"""``customsnet sensitivity | timetrend`` as library calls: refits that probe a model's robustness."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def run_sensitivity(source: PanelSource, formula: str | None, out: Path, shares: Sequence[float],
                    reps: int = 1, scheme: str = "events", estimator: str = DEFAULT_ESTIMATOR, bootstrap: int = 0,
                    seed: int = 1, level: float = 0.95, terms: str | Sequence[str] = "network", jobs: int = 1,
                    progress: Callable[[float, int], None] | None = None) -> SensitivityOutcome:
    """Refit with ``shares`` of the outcome ties rewired; CSV tables, settings JSON and figure in ``out``.

    A refit that fails is listed in ``sensitivity_failed.csv`` and the settings; the others are kept.
    """
    import pandas as pd

    from customsnet.modeling.sensitivity import (
        plot_sensitivity,
        rewiring_study,
        summarize_study,
    )

    formula = resolve_formula(formula, source)
    panel = open_panel(source)
    formula, notes = resolve_formula_names(formula, panel)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        study = rewiring_study(panel, formula, shares=list(shares), reps=reps, scheme=scheme, estimator=estimator,
                               bootstrap=bootstrap, seed=seed, level=level, terms=terms, n_jobs=jobs,
                               missing=source.missing, progress=progress)
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
    messages += [f"refit at share {f['share']:g}, repetition {f['rep']} failed and is left out: {f['error']}"
                 for f in failed]
    return SensitivityOutcome(study, summary, failed, files, messages)


@dataclass
class TimetrendOutcome:
    result: Any  # modeling.timetrend.TimeTrendResult
    table: Any
    files: list[Path]
    messages: list[str] = field(default_factory=list)


def run_timetrend(source: PanelSource, formula: str | None, covariates: Sequence[str], out: Path,
                  estimator: str = DEFAULT_ESTIMATOR, bootstrap: int = 100, seed: int = 1, level: float = 0.95,
                  jobs: int = 1) -> TimetrendOutcome:
    """Covariate x linear time model (timecov): fit, tables, effect and coefficient plots in ``out``."""
    import pandas as pd

    from customsnet.modeling.plots import coefficient_plot
    from customsnet.modeling.timetrend import fit_timetrend

    formula = resolve_formula(formula, source)
    panel = open_panel(source)
    formula, notes = resolve_formula_names(formula, panel)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit_timetrend(panel, formula, list(covariates), estimator=estimator, bootstrap=bootstrap,
                               seed=seed, level=level, n_jobs=jobs, missing=source.missing)
        table = result.table(level)
        over = pd.concat([result.effect_over_time(t.covariate, level).assign(covariate=t.covariate)
                          for t in result.trends], ignore_index=True)
    out.mkdir(parents=True, exist_ok=True)
    result.fit.meta["panel"] = source.describe()
    json_path, _ = result.fit.save(out / "timetrend_fit")
    table.to_csv(out / "timetrend.csv", index=False)
    over.to_csv(out / "timetrend_effects.csv", index=False)
    figures = result.plot(out / "timetrend_effects", level) + coefficient_plot(
        {"covariate x time": result.fit}, out / "timetrend_coefficients", level=level)
    messages = [*notes, *(m for m in dict.fromkeys(str(w.message) for w in caught) if m not in result.fit.warnings)]
    return TimetrendOutcome(result, table, [json_path, out / "timetrend.csv", out / "timetrend_effects.csv", *figures],
                            messages)
