"""Fitting a TERGM: :func:`fit_tergm` on a Design, and the scikit-learn-like :class:`TERGM`.

Estimators (``estimator=``):

* ``"mple"`` (default): the converged MPLE with ergm's LP existence check; coefficients that do
  not exist are NaN with status "not identified", and the identified combinations are reported.
* ``"btergm"``: btergm's numbers exactly (speedglm's IRLS, including where it stops under
  separation), for replication.
* ``"formation"``: the MPLE of tie formation on dyads untied at t-1, memory terms dropped.
* ``"mcmle"``: MCMC maximum likelihood of the pooled model (btergm's ``mtergm``); it simulates
  networks, so it needs the panel: :meth:`TERGM.fit` on a Panel or
  :func:`customsnet.modeling.estimation.mcmle.fit_mcmle`.

Bootstrap: ``bootstrap=R`` replications resampling time steps (btergm's scheme), seeded; or an
explicit index matrix (``boot_indices``, 1-based, R x T') to reproduce an R run.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from customsnet.modeling.design.design import Design
from customsnet.modeling.estimation.bootstrap import (
    Progress,
    draw_indices,
    indices_from_r,
    run_replicates,
    step_counts,
)
from customsnet.modeling.estimation.estimators import (
    ESTIMATORS,
    OFFSET_STATUS,
    EstimationError,
    PointFit,
    ReplicateFits,
    fit_btergm,
    fit_formation,
    fit_mple,
    formation_design,
    replicates_btergm,
    replicates_mple,
    split_rows,
)
from customsnet.modeling.estimation.logit_stats import StackedRows
from customsnet.modeling.estimation.offsets import (
    OffsetError,
    fixed_vector,
    offset_values,
    remove_structural_zeros,
)
from customsnet.modeling.estimation.separation import Identification
from customsnet.modeling.estimation.speedglm import SplitRows
from customsnet.modeling.results import Combination, FitResult

__all__ = ["ESTIMATORS", "EstimationError", "fit_tergm"]


class MPLEWarning(UserWarning):
    """Some estimates do not exist (separation) or a fit did not converge."""


@dataclass
class _ReplicateStatistic:
    """The bootstrap statistic as a picklable callable (sent to Dask workers)."""

    estimator: str
    rows: StackedRows
    identification: Identification | None  # the full data's (LP check), when it was run
    n_jobs: int = 1
    split: SplitRows | None = None  # btergm: the full data's overlap/separated rows
    start: np.ndarray | None = None  # mple-type: the full data's estimate, where replicates start

    def __post_init__(self) -> None:
        if self.estimator == "btergm" and self.split is None:
            self.split = split_rows(self.rows, self.identification)

    @property
    def n_params(self) -> int:
        return self.rows.n_params

    def __call__(self, counts: np.ndarray) -> ReplicateFits:
        if self.estimator == "btergm":
            return replicates_btergm(self.rows, counts, n_jobs=self.n_jobs, split=self.split)
        assert self.identification is not None
        return replicates_mple(self.rows, counts, self.identification, n_jobs=self.n_jobs, start=self.start)


def fit_tergm(
    design: Design,
    estimator: str = "mple",
    bootstrap: int = 100,
    seed: int | None = None,
    n_jobs: int = 1,
    scheduler: Any = None,
    boot_indices: np.ndarray | None = None,
    level: float = 0.95,
    check_separation: bool = True,
    warm_start: bool = True,
    offset_coef: Any = None,
    progress: Progress | None = None,
) -> FitResult:
    """Fit a TERGM by MPLE to ``design`` and bootstrap it over time steps.

    Parameters
    ----------
    design : the stacked MPLE rows (from ``build_design``).
    estimator : ``"mple"`` (default), ``"btergm"`` or ``"formation"`` (see module doc).
    bootstrap : number of replications R (0 for none); ignored when ``boot_indices`` is given.
    seed : seed of the ``numpy.random.Generator`` drawing the step indices; recorded (when None,
        a fresh seed is drawn and recorded, so any run can be repeated).
    n_jobs : threads for the per-step statistics.
    scheduler : Dask scheduler address (``"tcp://host:8786"``) or ``distributed.Client``; the
        replicates then run on that cluster.
    boot_indices : explicit R x T' matrix of 1-based step numbers (R's ``boot.array(indices=TRUE)``).
    level : default confidence level of the intervals in the summary.
    check_separation : run the LP existence check in ``btergm`` mode too (diagnosis only; it
        also lets speedglm skip re-evaluating converged rows under separation).
    warm_start : start the replicates' Newton at the full data's estimate (``mple``,
        ``formation``; the converged maxima agree to Newton's tolerance, ~1e-8). ``btergm`` mode
        always starts where speedglm does, as parity requires.
    offset_coef : fixed coefficients of the formula's ``offset()`` terms (ergm's ``offset.coef``), a
        sequence in the order of the offset columns or a mapping by name; ``-inf`` for structural
        zeros (those dyads leave the design, see :mod:`.offsets`). Offsets are reported with status
        "fixed (offset)". ``btergm`` mode takes only infinite offsets (btergm's own use: it deletes
        the structural zeros' rows); finite ones need ``mple`` or ``formation``.
    progress : ``start(description, total) -> advance(n)``, told about the bootstrap replicates
        as they finish (the estimates do not depend on it).
    """
    all_names = list(design.names)
    design, offset_fixed, structural = _checked_design(design, estimator, offset_coef)
    rows = StackedRows.from_design(design)
    point = _point_fit(estimator, rows, list(design.names), offset_fixed, check_separation, n_jobs)
    for message in point.warnings:
        warnings.warn(message, MPLEWarning, stacklevel=2)

    T = design.n_steps
    idx0, seed = _bootstrap_indices(T, bootstrap, seed, boot_indices)
    if len(idx0):
        statistic = _ReplicateStatistic(
            estimator,
            rows,
            point.identification,
            n_jobs=n_jobs,
            split=point.split,
            start=point.raw if warm_start and estimator != "btergm" else None,
        )
        reps = run_replicates(statistic, step_counts(idx0, T), scheduler=scheduler, progress=progress)
    else:
        reps = ReplicateFits(np.zeros((0, len(design.names))), np.zeros(0, dtype=bool), [])
    if reps.failed.any():
        warnings.warn(_failed_replicates_message(reps), MPLEWarning, stacklevel=2)
    return _fit_result(
        design,
        estimator,
        point,
        reps,
        idx0,
        seed=seed if boot_indices is None else None,
        level=level,
        offsets=(all_names, offset_fixed, structural),
    )


def _checked_design(design: Design, estimator: str, offset_coef: Any) -> tuple[Design, dict, dict]:
    """The design the estimator fits, the offsets' fixed values and the structural zeros removed per year.

    Checked first that it can be fitted; the dyads of ``-inf`` offsets leave the design (see
    :mod:`.offsets`), and ``formation`` keeps only the untied dyads.
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    if estimator == "mcmle":
        raise EstimationError(
            "estimator 'mcmle' simulates networks and needs the panel, not only the MPLE design: use "
            "TERGM(formula, estimator='mcmle').fit(panel) or "
            "customsnet.modeling.estimation.mcmle.fit_mcmle(panel, formula)"
        )
    if design.n_steps == 0:
        raise EstimationError("the design has no time steps")
    _check_finite(design)
    try:
        offset_fixed = offset_values(list(design.names), offset_coef)
        design, structural = remove_structural_zeros(design, offset_fixed)
    except OffsetError as exc:
        raise EstimationError(str(exc)) from None
    if estimator == "formation":
        design = formation_design(design)
    return design, offset_fixed, structural


def _point_fit(
    estimator: str, rows: StackedRows, names: list[str], offset_fixed: dict, check_separation: bool, n_jobs: int
) -> PointFit:
    """The estimate on the full data (finite offsets held at their values)."""
    fixed = fixed_vector(names, offset_fixed)
    if estimator == "btergm":
        if fixed is not None:
            raise EstimationError(
                f"estimator 'btergm' takes only infinite offsets (structural zeros, as btergm's offset = TRUE); "
                f"the finite offsets {[n for n in names if n in offset_fixed]} need estimator='mple'"
            )
        return fit_btergm(rows, names, check_separation=check_separation, n_jobs=n_jobs)
    if estimator == "mple":
        return fit_mple(rows, names, n_jobs=n_jobs, fixed=fixed)
    return fit_formation(rows, names, n_jobs=n_jobs, fixed=fixed)


def _bootstrap_indices(
    n_steps: int, bootstrap: int, seed: int | None, boot_indices: np.ndarray | None
) -> tuple[np.ndarray, int | None]:
    """The 0-based R x T' step indices of the replicates, and the seed they were drawn with.

    Explicit ``boot_indices`` (1-based, from R) win; otherwise ``bootstrap`` draws, from ``seed``
    or, when None, from a fresh seed that is returned so the run can be repeated exactly.
    """
    if boot_indices is not None:
        return indices_from_r(boot_indices, n_steps), seed
    if bootstrap > 0:
        if seed is None:
            seed = int(np.random.SeedSequence().entropy)
        return draw_indices(n_steps, int(bootstrap), np.random.default_rng(seed)), seed
    return np.zeros((0, n_steps), dtype=np.int64), seed


def _failed_replicates_message(reps: ReplicateFits) -> str:
    first = next(n for n, f in zip(reps.notes, reps.failed) if f)
    return f"{int(reps.failed.sum())} of {len(reps.failed)} bootstrap replicates failed (first: {first})"


def _fit_result(
    design: Design,
    estimator: str,
    point: PointFit,
    reps: ReplicateFits,
    idx0: np.ndarray,
    seed: int | None,
    level: float,
    offsets: tuple[list[str], dict, dict],
) -> FitResult:
    """The :class:`FitResult` of a point fit and its replicates (unidentified terms NaN in the replicates).

    ``offsets``: the formula's coefficient names, the offsets' fixed values and the structural zeros
    removed per year; infinite offsets left out of the fit are reported at their values.
    """
    all_names, offset_fixed, structural = offsets
    t = reps.raw.copy()
    if estimator != "btergm" and point.identification is not None:
        t[:, ~point.identification.identified] = np.nan
    combos = _combinations(point, reps.raw)
    names = list(design.names)
    estimates, status = np.asarray(point.coef, dtype=float), list(point.status)
    reported = [n for n in all_names if n in names or n in offset_fixed]  # formation drops memory
    if len(reported) > len(names):  # infinite offsets were fitted out: report them at their values
        estimates, status, t = _with_infinite_offsets(reported, names, offset_fixed, estimates, status, t)
    meta = {"identification": point.identification.reason if point.identification else ""}
    if offset_fixed:
        meta["offset_coef"] = {n: repr(v) for n, v in offset_fixed.items()}  # JSON keeps no infinities
    removed = sum(structural.values())
    if removed:
        meta["structural_zeros"] = structural
    return FitResult(
        names=reported,
        estimates=estimates,
        status=status,
        estimator=estimator,
        formula=design.formula,
        years=list(design.years),
        nobs_dyads=int(design.n_dyads),
        # btergm's nobs counts the ordered pairs that are not structural zeros
        nobs_btergm=int(design.nobs_btergm) - (1 if design.directed else 2) * removed,
        iterations=point.iterations,
        converged=point.converged,
        criterion=float(point.criterion),
        deviance=float(point.deviance),
        boot_t=t,
        boot_indices=idx0 + 1,
        boot_failed=reps.failed,
        boot_notes=reps.notes,
        combinations=combos,
        seed=seed,
        warnings=list(point.warnings),
        level=level,
        meta=meta,
    )


def _with_infinite_offsets(all_names, names, values, estimates, status, t):
    """Estimates, statuses and replicates with the infinite offsets (left out of the fit) put back in place."""
    pos = {n: k for k, n in enumerate(names)}
    est = np.array([values[n] if n not in pos else estimates[pos[n]] for n in all_names])
    st = [OFFSET_STATUS if n not in pos else status[pos[n]] for n in all_names]
    boot = np.full((t.shape[0], len(all_names)), np.nan)
    for k, n in enumerate(all_names):
        boot[:, k] = values[n] if n not in pos else t[:, pos[n]]
    return est, st, boot


def _combinations(point: PointFit, raw_boot: np.ndarray) -> list[Combination]:
    ident = point.identification
    if ident is None:
        return []
    out = []
    for label, (coefs, vec) in zip(ident.combination_labels(), ident.combinations):
        est = float(vec @ point.raw) if np.all(np.isfinite(point.raw[vec != 0])) else float("nan")
        boot = (raw_boot[:, vec != 0] @ vec[vec != 0]).tolist() if len(raw_boot) else []
        out.append(Combination(label=label, coefs=coefs, estimate=est, boot=boot))
    return out


def _check_finite(design: Design) -> None:
    for s in design.steps:
        bad = ~np.isfinite(s.X)
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise EstimationError(
                f"missing (NaN) change statistic for {design.names[c]} in year {s.year} (row {r}): "
                "clean or impute covariates before fitting (btergm would fail too)"
            )
