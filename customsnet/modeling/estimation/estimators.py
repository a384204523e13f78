"""The three estimators on a :class:`~customsnet.modeling.design.design.Design`, point fit and replicates.

* ``btergm``: speedglm's IRLS exactly as btergm runs it (parity mode; separated coefficients are
  wherever the IRLS stopped, flagged by the separation check).
* ``mple``: the converged MPLE on the identified subspace; non-existent estimates are reported as
  not identified, with the identified combinations.
* ``formation``: the MPLE of tie formation, on the risk set (dyads untied at t-1) without memory.
* ``mcmle``: MCMC maximum likelihood of the pooled model (btergm's ``mtergm``); it needs the panel,
  not only the design, so it lives in :mod:`customsnet.modeling.estimation.mcmle` (``fit_mcmle``).

Each estimator turns step multiplicities (one row per replicate) into coefficient vectors, so the
point fit is the replicate with every step once and the bootstrap reuses the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from customsnet.modeling.design.design import Design, StepDesign
from customsnet.modeling.estimation.logit_stats import StackedRows
from customsnet.modeling.estimation.newton import newton_fit
from customsnet.modeling.estimation.separation import Identification, identify
from customsnet.modeling.estimation.speedglm import SplitRows, speedglm_fit

ESTIMATORS = ("btergm", "mple", "formation", "mcmle")
#: the status of an offset's coefficient: given, not estimated
OFFSET_STATUS = "fixed (offset)"


class EstimationError(ValueError):
    """The design cannot be fitted by the requested estimator (with the reason)."""


@dataclass
class PointFit:
    """An estimator's fit to the full data."""

    coef: np.ndarray  # NaN where not identified / dropped
    raw: np.ndarray  # coefficients before masking (used for identified combinations)
    status: list[str]
    iterations: int
    converged: bool
    criterion: float  # speedglm: final relative deviance change; Newton: max |gradient|
    deviance: float
    identification: Identification | None
    warnings: list[str] = field(default_factory=list)
    split: SplitRows | None = None  # btergm: the overlap/separated split, reused by the bootstrap


@dataclass
class ReplicateFits:
    """Coefficients of bootstrap replicates (rows), with per-replicate notes."""

    raw: np.ndarray  # (R, p), NaN where a replicate failed or a column was dropped
    failed: np.ndarray  # bool per replicate: no usable estimate at all
    notes: list[str]  # one per replicate ("" when nothing to say)


# --------------------------------------------------------------------------- btergm parity
def fit_btergm(rows: StackedRows, names: list[str], check_separation: bool = True, n_jobs: int = 1) -> PointFit:
    """btergm's point estimate: :func:`speedglm_fit` on every step once (plus an LP diagnosis).

    The LP diagnosis also tells speedglm which rows are separated, so it can skip re-evaluating
    the converged overlap rows while the separated coefficients run off (see :class:`SplitRows`).
    """
    ident = identify(rows, names) if check_separation else None
    split = split_rows(rows, ident)
    out = speedglm_fit(rows, np.ones((1, rows.n_steps), dtype=np.int64), n_jobs=n_jobs, split=split)[0]
    if out.method != "speedglm":
        # btergm does not guard the point fit: it stops here, so do we (with a way out)
        raise EstimationError(
            f"speedglm's solve failed on the full data ({out.error}); btergm would stop too. Rescale badly "
            "scaled covariates (e.g. trade in billions, not dollars) or use estimator='mple'"
        )
    status = []
    for j, _ in enumerate(names):
        if j in out.dropped:
            status.append("dropped: collinear (speedglm eigen check)")
        elif ident is not None and not ident.identified[j]:
            status.append("not identified: value is where speedglm stopped")
        else:
            status.append("ok")
    warnings = []
    if ident is not None and not ident.exists:
        warnings.append(f"MPLE does not exist ({ident.reason}); btergm's values for these terms are IRLS artefacts")
    if out.iterations >= 25 and not out.converged:
        warnings.append("speedglm hit its 25-iteration cap without converging (btergm ignores this)")
    return PointFit(
        coef=out.coef,
        raw=out.coef,
        status=status,
        iterations=out.iterations,
        converged=out.converged,
        criterion=out.tol,
        deviance=out.deviance,
        identification=ident,
        warnings=warnings,
        split=split,
    )


def split_rows(rows: StackedRows, ident: Identification | None) -> SplitRows | None:
    """speedglm's overlap/separated split from the full data's LP check (None without one).

    A replicate's rows are a subset of the full data's, so rows separated there stay separated
    and the full data's null space stays a null space of every replicate's overlap rows.
    """
    if ident is None:
        return None
    return SplitRows.from_separation(rows, ident.separated, ident.null_space)


def replicates_btergm(
    rows: StackedRows, counts: np.ndarray, n_jobs: int = 1, split: SplitRows | None = None
) -> ReplicateFits:
    """btergm's bootstrap statistic for each row of ``counts`` (glm.fit fallback on LU failure)."""
    outs = speedglm_fit(rows, counts, n_jobs=n_jobs, split=split)
    raw = np.array([o.coef for o in outs]).reshape(len(outs), rows.n_params)
    failed = np.all(np.isnan(raw), axis=1)
    notes = [
        (f"{o.method}: {o.error}" if o.error else ("refit by glm.fit" if o.method == "glm.fit" else "")) for o in outs
    ]
    return ReplicateFits(raw, failed, notes)


# --------------------------------------------------------------------------- converged MPLE
def fit_mple(rows: StackedRows, names: list[str], n_jobs: int = 1, fixed: np.ndarray | None = None) -> PointFit:
    """The converged MPLE on the identified subspace, after the LP existence check.

    ``fixed`` holds offsets' fixed coefficients (NaN where estimated): they enter the linear
    predictor as they are and are reported with status "fixed (offset)".
    """
    ident = identify(rows, names, fixed)
    overlap = rows.overlap(ident.separated)
    out = newton_fit(
        overlap, np.ones((1, rows.n_steps), dtype=np.int64), ident.basis, n_jobs=n_jobs, shift=ident.shift
    )[0]
    if not out.converged:
        raise EstimationError(
            f"Newton did not converge on the identified part (max |gradient| {out.grad_max:.3g} after "
            f"{out.iterations} iterations)"
        )
    coef = out.coef.copy()
    coef[~ident.identified] = np.nan
    status = [
        OFFSET_STATUS
        if not free
        else "ok"
        if ok
        else ("not identified: separation" if ident.separated.any() else "not identified: collinear")
        for ok, free in zip(ident.identified, ident.free)
    ]
    warnings = [] if ident.exists else [f"MPLE does not exist for all terms: {ident.reason}"]
    return PointFit(
        coef=coef,
        raw=out.coef,
        status=status,
        iterations=out.iterations,
        converged=out.converged,
        criterion=out.grad_max,
        deviance=out.deviance,
        identification=ident,
        warnings=warnings,
    )


def replicates_mple(
    rows: StackedRows, counts: np.ndarray, ident: Identification, n_jobs: int = 1, start: np.ndarray | None = None
) -> ReplicateFits:
    """Converged MPLE of each replicate on the full data's identified subspace.

    Separated rows of the full data stay separated in any replicate (its rows are a subset), so
    replicates start from the full data's overlap rows. A replicate whose Newton fails (new
    separation in the subsample) gets its own LP check and is refitted on its identified part;
    terms it cannot identify are NaN in that replicate. ``start`` (the full data's estimate) warm
    starts every replicate's Newton: the same converged maximum in fewer passes.
    """
    overlap = rows.overlap(ident.separated)  # the same object for every chunk: its Gram matrices are kept
    outs = newton_fit(overlap, counts, ident.basis, n_jobs=n_jobs, start=start, shift=ident.shift)
    raw = np.array([o.coef for o in outs]).reshape(len(outs), rows.n_params)
    failed = np.zeros(len(outs), dtype=bool)
    notes = [""] * len(outs)
    step_of_row = rows.step_of_row()
    for r, o in enumerate(outs):
        if o.converged:
            continue
        drawn = counts[r][step_of_row] > 0
        own = identify(overlap.with_weights(np.where(drawn, overlap.w, 0.0)), ident.names, ident.fixed)
        refit = newton_fit(
            overlap.with_weights(np.where(drawn & ~own.separated, overlap.w, 0.0)),
            counts[r : r + 1],
            own.basis,
            shift=own.shift,
        )[0]
        if refit.converged:
            raw[r] = refit.coef
            raw[r, ~own.identified] = np.nan
            notes[r] = f"replicate not identified for: {', '.join(own.not_identified)}" if own.not_identified else ""
        else:
            raw[r] = np.nan
            failed[r] = True
            notes[r] = f"Newton failed (max |gradient| {refit.grad_max:.3g})"
    return ReplicateFits(raw, failed, notes)


# --------------------------------------------------------------------------- formation
def memory_columns(names: list[str]) -> list[int]:
    """Positions of btergm's memory term (``edgecov.memory[[i]]``)."""
    return [j for j, n in enumerate(names) if n.startswith("edgecov.memory")]


def previous_ties(step: StepDesign, names: list[str]) -> np.ndarray:
    """Whether each row's dyad was tied at t-1: ``step.lag_tie``, else read off a stability memory column."""
    if step.lag_tie is not None:
        return np.asarray(step.lag_tie).astype(bool)
    cols = memory_columns(names)
    if not cols:
        raise EstimationError(
            f"formation needs the lagged network: step {step.year} has no lag_tie and the formula has no memory term"
        )
    m = step.X[:, cols[0]]
    values = set(np.unique(m).tolist())
    if not values <= {-1.0, 1.0}:
        raise EstimationError(
            f"formation: cannot read the lagged tie off {names[cols[0]]} in step {step.year} (values {sorted(values)}; "
            "only stability coding, +1 tie / -1 no tie, is unambiguous); build the design with lag_tie"
        )
    return m == 1.0


def formation_design(design: Design) -> Design:
    """The risk set of tie formation: rows untied at t-1, memory columns removed."""
    drop = memory_columns(design.names)
    keep_cols = [j for j in range(len(design.names)) if j not in drop]
    steps = []
    for s in design.steps:
        risk = ~previous_ties(s, design.names)
        steps.append(
            StepDesign(
                year=s.year,
                X=s.X[np.ix_(risk, keep_cols)],
                y=s.y[risk],
                w=s.w[risk],
                nodes=s.nodes,
                tail=None if s.tail is None else s.tail[risk],
                head=None if s.head is None else s.head[risk],
                lag_tie=np.zeros(int(risk.sum()), dtype=np.int8),
            )
        )
    meta = dict(design.meta)
    meta["risk_set"] = "dyads untied at t-1 (formation)"
    return Design(
        names=[design.names[j] for j in keep_cols],
        steps=steps,
        directed=design.directed,
        formula=design.formula,
        meta=meta,
    )


def fit_formation(rows: StackedRows, names: list[str], n_jobs: int = 1, fixed: np.ndarray | None = None) -> PointFit:
    """The MPLE on the formation risk set (``rows`` from :func:`formation_design`); must exist."""
    fit = fit_mple(rows, names, n_jobs=n_jobs, fixed=fixed)
    ident = fit.identification
    assert ident is not None
    if ident.exists:
        fit.warnings = []
    fit.status = [
        "ok (exists: LP finds no separating direction)" if ok and s == "ok" else s
        for ok, s in zip(ident.identified, fit.status)
    ]
    return fit
