"""``customsnet fit`` as a library call, and the point fits the after-fit commands start from."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from customsnet.workflows.inputs import (
    DEFAULT_ESTIMATOR,
    PanelSource,
    open_panel,
    resolve_formula,
    resolve_formula_names,
)

if TYPE_CHECKING:
    from customsnet.modeling.estimation.bootstrap import Progress
    from customsnet.modeling.panel.panel import Panel
    from customsnet.modeling.results import FitResult

# how an after-fit command (gof, interpret, predict) treats coefficients the MPLE leaves
# undetermined; docs/modeling.md "Evaluating a fit with non-identified terms" explains why
EVALUATION_ESTIMATOR = "btergm"


@dataclass
class FitOutcome:
    """What ``customsnet fit`` produced: the fit, where it was saved, and warnings raised."""

    result: FitResult
    json_path: Path
    csv_path: Path
    messages: list[str] = field(default_factory=list)


def read_boot_indices(path: Path):
    """R's ``boot.array(indices = TRUE)`` saved as CSV (an optional leading ``rep`` column)."""
    import numpy as np
    import pandas as pd

    frame = pd.read_csv(path)
    if frame.columns[0] == "rep":
        frame = frame.iloc[:, 1:]
    return frame.to_numpy(dtype=np.int64)


def parse_offset_coef(text: str | None) -> list[float] | None:
    """``--offset-coef "0.5,-inf"`` as numbers (``inf``/``-inf``/``Inf`` accepted, as R prints them)."""
    if text is None or not text.strip():
        return None
    values = []
    for item in text.split(","):
        try:
            values.append(float(item.strip()))
        except ValueError:
            raise ValueError(f"--offset-coef: {item.strip()!r} is not a number (use e.g. 0.5 or -inf)") from None
    return values


def run_fit(
    source: PanelSource,
    formula: str | None,
    out: Path,
    estimator: str = DEFAULT_ESTIMATOR,
    bootstrap: int = 100,
    seed: int | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    boot_indices: Path | None = None,
    status: Callable[[str], None] | None = None,
    mcmc: dict | None = None,
    naming: str = "ergm4.4",
    offset_coef: list[float] | None = None,
    offset: bool = False,
    progress: Progress | None = None,
) -> FitOutcome:
    """Open the panel, build the design, fit, save ``out/fit.json`` and ``out/fit.csv``.

    ``status(text)`` is told what is being fitted before the (long) fit starts. ``progress``
    (``start(description, total) -> advance(n)``) follows the bootstrap replicates, or the MCMC-MLE
    iterations (its total is the iteration cap; the fit usually stops earlier). ``mcmc`` holds
    :class:`~customsnet.modeling.estimation.mcmle.MCMLEControl` settings for ``estimator="mcmle"`` (None = default).
    A ``Form(~ …) + Persist(~ …)`` formula is fitted by conditional MPLE on the separable block design.
    ``naming`` is the coefficient-name convention (``"ergm4.4"`` or ``"ergm4.5"``, see ``terms.formula``).
    ``offset_coef`` are the fixed coefficients of the formula's ``offset()`` terms (ergm's ``offset.coef``).
    ``offset=True`` is btergm's ``offset = TRUE`` node composition (``build_design(offset=True)``).
    """
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.estimation.fit import fit_tergm
    from customsnet.modeling.estimation.separable import is_separable, separable_design
    from customsnet.modeling.terms.formula import as_formula

    formula = resolve_formula(formula, source)
    panel = open_panel(source)
    formula, notes = resolve_formula_names(formula, panel)
    if not is_separable(formula):
        formula = str(as_formula(formula, naming=naming))  # the convention is written into the R text
    if estimator == "mcmle":
        return _run_mcmle(panel, formula, source, out, seed, jobs, status, mcmc or {}, notes, scheduler, progress)
    if is_separable(formula):
        design = separable_design(panel, formula, missing=source.missing)
    else:
        design = build_design(panel, formula, compress=True, missing=source.missing, offset=offset)
    indices = read_boot_indices(boot_indices) if boot_indices is not None else None
    if status is not None:
        reps = len(indices) if indices is not None else bootstrap
        status(f"fitting ({estimator}, {design.n_steps} steps, R = {reps} replications)...")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit_tergm(
            design,
            estimator=estimator,
            bootstrap=bootstrap,
            seed=seed,
            n_jobs=jobs,
            scheduler=scheduler,
            boot_indices=indices,
            offset_coef=offset_coef,
            progress=progress,
        )
    result.meta["panel"] = source.describe()
    result.meta["missing_policy"] = source.missing
    if source.path is None:
        result.meta["basis"] = source.basis
    json_path, csv_path = result.save(out / "fit")
    return FitOutcome(result, json_path, csv_path, [*notes, *(str(w.message) for w in caught)])


def _run_mcmle(
    panel: Panel,
    formula: str,
    source: PanelSource,
    out: Path,
    seed: int | None,
    jobs: int,
    status: Callable[[str], None] | None,
    mcmc: dict,
    notes: list[str],
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> FitOutcome:
    """``estimator="mcmle"``: the pooled MCMC-MLE (no bootstrap), saved like the MPLE fits.

    ``scheduler``: the chains run on that Dask cluster instead of ``jobs`` local processes.
    """
    from customsnet.modeling.estimation.mcmle import MCMLEControl, fit_mcmle, mcmle_iterations

    control = MCMLEControl(**{k: v for k, v in mcmc.items() if v is not None})
    bar = mcmle_iterations(progress, control)

    def report(record: dict) -> None:
        if bar is not None:
            bar(record)
        if status is not None:
            status(
                f"MCMLE iteration {record['iteration']}: step {record['gamma']:.3f}, interval "
                f"{record['interval']}, min ESS {record['min_ess']:.0f}, max |t| {record['max_abs_t']:.2f}"
            )

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit_mcmle(
            panel,
            formula,
            control=control,
            seed=seed,
            n_jobs=jobs,
            missing=source.missing,
            progress=report,
            scheduler=scheduler,
        )
    result.meta["panel"] = source.describe()
    result.meta["missing_policy"] = source.missing
    json_path, csv_path = result.save(out / "fit")
    return FitOutcome(result, json_path, csv_path, [*notes, *(str(w.message) for w in caught)])


def point_fit(panel: Panel, formula: str, estimator: str = DEFAULT_ESTIMATOR, missing: str = "error"):
    """A fit without bootstrap on all of ``panel``; returns (fit, warnings collected, not printed)."""
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.estimation.fit import fit_tergm

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit_tergm(
            build_design(panel, formula, compress=True, missing=missing), estimator=estimator, bootstrap=0
        )
    return result, [str(w.message) for w in caught]


def not_identified(fit: FitResult) -> list[str]:
    """Coefficients without a finite point estimate (the MPLE does not exist along them)."""
    import numpy as np

    return [name for name, value in zip(fit.names, fit.estimates) if not np.isfinite(value)]


def evaluation_fit(fit: FitResult, panel: Panel, formula: str, missing: str = "error"):
    """The fit an after-fit command evaluates: ``fit`` itself when every coefficient is finite.

    Otherwise (the default ``mple`` under separation) the model is refitted on the same years
    with btergm's IRLS, whose finite point estimate is what btergm would simulate from, and a
    warning says so. Returns (fit to evaluate, messages).
    """
    missing_terms = not_identified(fit)
    if not missing_terms:
        return fit, []
    from customsnet.modeling.terms.formula import as_formula

    lag = as_formula(formula).max_lag
    first = panel.years.index(fit.years[0]) - lag if fit.years and fit.years[0] in panel.years else 0
    last = panel.years.index(fit.years[-1]) if fit.years and fit.years[-1] in panel.years else len(panel.years) - 1
    refit, messages = point_fit(
        panel.subset_years(panel.years[max(first, 0) : last + 1]), formula, EVALUATION_ESTIMATOR, missing
    )
    note = (
        f"the {fit.estimator} fit leaves {', '.join(missing_terms)} not identified (no finite estimate); "
        f"evaluating btergm's IRLS point estimate on the same years instead (see docs/modeling.md, "
        f"'Evaluating a fit with non-identified terms')"
    )
    return refit, [note, *messages]


def fit_or_load(
    panel: Panel, source: PanelSource, formula: str | None, fit_path: Path | None, estimator: str = DEFAULT_ESTIMATOR
):
    """A saved fit (``--fit``) or a fresh point fit on the panel, made evaluable.

    Returns (fit to evaluate, formula, messages).
    """
    messages: list[str] = []
    if fit_path is not None:
        from customsnet.modeling.results import FitResult

        fit = FitResult.load(fit_path)
        formula, messages = resolve_formula_names(resolve_formula(formula, source, fit), panel)
    else:
        formula, messages = resolve_formula_names(resolve_formula(formula, source), panel)
        fit, caught = point_fit(panel, formula, estimator, source.missing)
        messages += caught
    fit, notes = evaluation_fit(fit, panel, formula, source.missing)
    return fit, formula, [*messages, *notes]
