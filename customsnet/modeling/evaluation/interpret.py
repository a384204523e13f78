"""Micro-level interpretation: conditional tie probabilities and how they vary (spec §8).

* :func:`edgeprob` — btergm's ``edgeprob``: one row per dyad and modeled step with the change
  statistics and ``probability = logistic(θᵀΔ)``, the tie probability given the observed rest of
  the network.
* :func:`tie_probability` — btergm's ``interpret(type = "tie")``: toggle the dyad, recompute the
  network statistics g(Y⁺), g(Y⁻) with the terms themselves; equals edgeprob's value.
* :func:`probability_by_shared_partners`, :func:`probability_by_degree` — average predicted
  probability at each number of shared partners / degree, as the *empirical conditional mean*
  (default) or the *counterfactual* substitution of the gw change statistic (labelled).
* :func:`binary_covariate_effect` — mean probability with a covariate set to 1 minus set to 0.
* :func:`with_bootstrap_intervals` — bootstrap intervals of those averages from a fit's replicates.
* :func:`plot_probability_bars` — the bar chart with its intervals (the study's Figure 9).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from customsnet.modeling.design.design import Design


class InterpretError(ValueError):
    """Interpretation inputs do not fit together (names, designs, years, nodes)."""


def _logistic(eta: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(eta, dtype=np.float64)))


def coefficient_series(fit, names: list[str] | None = None) -> pd.Series:
    """Coefficients as a Series by name, from a fit result (``.params``), a mapping, or a sequence + names."""
    if hasattr(fit, "params"):
        fit = fit.params
    if isinstance(fit, pd.Series):
        s = fit.astype(float)
    elif isinstance(fit, dict):
        s = pd.Series(fit, dtype=float)
    else:
        if names is None:
            raise InterpretError("coefficients given as a sequence need their names")
        values = np.asarray(fit, dtype=np.float64).ravel()
        if values.size != len(names):
            raise InterpretError(f"{values.size} coefficients for {len(names)} terms")
        s = pd.Series(values, index=names)
    if names is not None:
        missing = [n for n in names if n not in s.index]
        if missing:
            raise InterpretError(f"no coefficient for {missing} (have {list(s.index)})")
        s = s[names]
    if s.isna().any():
        raise InterpretError(
            f"coefficients {list(s.index[s.isna()])} are NaN (not identified); probabilities need finite values — "
            "use the btergm estimator or drop the term"
        )
    return s


def _drop_infinite(coefs: pd.Series) -> pd.Series:
    """btergm's edgeprob drops ±Inf coefficients (offsets) with a warning."""
    bad = ~np.isfinite(coefs.to_numpy())
    if bad.any():
        warnings.warn(
            f"coefficients {list(coefs.index[bad])} are infinite and were dropped (as btergm's edgeprob)", stacklevel=2
        )
    return coefs[~bad]


# --------------------------------------------------------------------------- edgeprob
def edgeprob(fit, design: Design) -> pd.DataFrame:
    """btergm's ``edgeprob`` table from an uncompressed design.

    Columns: ``tie``, one column per coefficient (change statistics), ``i``, ``j`` (1-based node
    positions within the step), ``t`` (modeled step, 1-based), ``i.name``, ``j.name`` (node labels),
    ``year`` (calendar year; customsnet's addition) and ``probability``. Rows sorted by t, i, j.
    """
    coefs = _drop_infinite(coefficient_series(fit, design.names))
    cols = [design.names.index(n) for n in coefs.index]
    theta = coefs.to_numpy()
    frames = []
    for t, step in enumerate(design.steps, start=1):
        if step.tail is None or step.head is None:
            raise InterpretError("edgeprob needs an uncompressed design: build_design(..., compress=False)")
        frame = pd.DataFrame(step.X, columns=design.names)
        frame.insert(0, "tie", step.y.astype(np.int64))
        frame["i"] = step.tail + 1
        frame["j"] = step.head + 1
        frame["t"] = t
        frame["i.name"] = step.nodes[step.tail]
        frame["j.name"] = step.nodes[step.head]
        frame["year"] = step.year
        frame["probability"] = _logistic(step.X[:, cols] @ theta)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["t", "i", "j"], kind="stable").reset_index(drop=True)
    # the formula travels with the table, so later averages can ask its terms (not parse names)
    out.attrs.update({"formula": design.formula, "directed": design.directed})
    return out


# --------------------------------------------------------------------------- toggle-based
def _replace_infinite(theta: np.ndarray, names: list[str]) -> np.ndarray:
    bad = ~np.isfinite(theta)
    if bad.any():
        warnings.warn(
            f"coefficients {[n for n, b in zip(names, bad) if b]} are infinite; "
            "replaced by ±9e8 (as btergm's interpret)",
            stacklevel=2,
        )
        theta = np.where(bad, np.sign(theta) * 9e8, theta)
    return theta


def tie_probability(fit, panel, *, formula=None, year: int, i: str, j: str) -> float:
    """btergm's ``interpret(type = "tie")``: logistic(θᵀ[g(Y⁺) − g(Y⁻)]) for the dyad of nodes ``i``, ``j``.

    g is recomputed from the terms' network statistics on the year's observed network with the dyad
    forced to 1 and to 0; the result equals :func:`edgeprob`'s probability for the same dyad.
    ``formula`` defaults to the fit's own (needed with bare coefficients).
    """
    from customsnet.modeling.design.build import cut_step, step_nodes
    from customsnet.modeling.simulation.simulate import model_formula

    formula = model_formula(fit, formula, "tie_probability").for_panel(panel)
    names = formula.coef_names(panel.directed)
    if hasattr(fit, "params"):
        fit = fit.params
    raw = fit if isinstance(fit, (pd.Series, dict)) else dict(zip(names, fit))
    theta = _replace_infinite(np.array([float(raw[n]) for n in names]), names)
    year_index = panel.years.index(year)
    labels, _ = step_nodes(panel, formula.lhs, year_index, formula.lags)
    step = cut_step(panel, formula, year_index, labels)
    where = {label: k for k, label in enumerate(step.nodes.tolist())}
    try:
        a, b = where[str(i)], where[str(j)]
    except KeyError as exc:
        raise InterpretError(f"node {exc.args[0]} is not in the modeled node set of year {year}") from None
    net = step.network.tolil(copy=True)
    stats = []
    for value in (1.0, 0.0):
        net[a, b] = value
        if not panel.directed:
            net[b, a] = value
        toggled = step.with_network(net.tocsr())
        stats.append(np.concatenate([term.statistic(toggled) for term in formula.terms]))
    return float(_logistic(theta @ (stats[0] - stats[1])))


# --------------------------------------------------------------------------- averages
def _step_networks(panel, lhs: str, design: Design) -> dict[int, sp.csr_matrix]:
    from customsnet.modeling.design.build import restrict_network

    return {
        s.year: restrict_network(panel.network(lhs, s.year), panel.nodes[s.year], s.nodes).tocsr() for s in design.steps
    }


def dyad_structure(table: pd.DataFrame, panel, lhs: str, design: Design) -> pd.DataFrame:
    """Shared partners and degrees (excluding the focal tie) of every edgeprob row, from the observed network."""
    networks = _step_networks(panel, lhs, design)
    parts = []
    for step in design.steps:
        rows = table[table["year"] == step.year]
        a = networks[step.year]
        a = (a != 0).astype(np.float64).tocsr()
        shared = (a @ a).tocsr()
        i = rows["i"].to_numpy() - 1
        j = rows["j"].to_numpy() - 1
        y = np.asarray(a[i, j]).ravel()
        deg = np.asarray(a.sum(axis=1)).ravel()
        parts.append(
            pd.DataFrame(
                {
                    "shared_partners": np.asarray(shared[i, j]).ravel().astype(np.int64),
                    "degree_i": (deg[i] - y).astype(np.int64),
                    "degree_j": (deg[j] - y).astype(np.int64),
                },
                index=rows.index,
            )
        )
    return pd.concat(parts).loc[table.index]


def _counterfactual_term(table: pd.DataFrame, names: list[str], structure: str, formula=None):
    """The one formula term with a counterfactual change statistic for ``structure``, and its column.

    The formula comes from ``formula`` or from the edgeprob table (``table.attrs``); the term itself
    says whether and how its change statistic depends on ``structure`` (no coefficient-name parsing).
    """
    from customsnet.modeling.terms.formula import as_formula

    formula = formula if formula is not None else table.attrs.get("formula")
    if formula is None:
        raise InterpretError("counterfactual averages need the model formula: pass formula= or use an edgeprob table")
    formula = as_formula(formula)
    directed = bool(table.attrs.get("directed", False))
    hits = []
    for term in formula.terms:
        if term.counterfactual_change(structure, 0) is not None:
            hits.extend((term, name) for name in term.coef_names(directed) if name in names)
    if len(hits) != 1:
        raise InterpretError(
            f"the model needs exactly one term with a {structure} change statistic (gwesp for shared partners, "
            f"gwdegree for degree) for this average (names: {names})"
        )
    term, name = hits[0]
    return names.index(name), term


def probability_by_shared_partners(
    fit,
    table: pd.DataFrame,
    structure: pd.DataFrame,
    kind: str = "empirical",
    max_k: int | None = None,
    per_year: bool = False,
    formula=None,
) -> pd.DataFrame:
    """Average predicted tie probability at each number k of shared partners.

    ``kind="empirical"`` (default): mean of edgeprob's probability over the dyads that *have* k
    shared partners in the observed network (everything else varies with k too).
    ``kind="counterfactual"``: every dyad's gwesp change statistic is replaced by the focal term
    e^α(1 − r^k) (the usual simplification, spec §8.3), other change statistics kept, and the
    probabilities averaged over all dyads. Pooled over the table's years, or ``per_year``.
    """
    if per_year:
        top = int(structure["shared_partners"].max()) if max_k is None else int(max_k)
        return _per_year(
            probability_by_shared_partners,
            fit,
            table,
            structure,
            kind=kind,
            max_k=top,
            formula=formula if formula is not None else table.attrs.get("formula"),
        )
    names = [c for c in table.columns if c not in _NON_STAT]
    coefs = _drop_infinite(coefficient_series(fit, names))
    ks = structure["shared_partners"].to_numpy()
    top = int(ks.max()) if max_k is None else int(max_k)
    if kind == "empirical":
        return _empirical(table, ks, top, "shared_partners")
    if kind != "counterfactual":
        raise InterpretError(f"kind must be 'empirical' or 'counterfactual', got {kind!r}")
    # gwesp change statistic of a dyad with k shared partners: e^decay (1 - r^k)
    return _counterfactual(table, coefs, top, "shared_partners", formula)


def probability_by_degree(
    fit,
    table: pd.DataFrame,
    structure: pd.DataFrame,
    kind: str = "empirical",
    measure: str = "max",
    max_k: int | None = None,
    per_year: bool = False,
    formula=None,
) -> pd.DataFrame:
    """Average predicted tie probability at each degree k (degrees exclude the focal tie).

    ``kind="empirical"`` groups dyads by ``measure`` of the two endpoint degrees (``"max"``,
    ``"min"`` or ``"sum"``). ``kind="counterfactual"`` sets both endpoints' degree to k in the
    gwdegree change statistic, Δ = 2 r^k, keeps the other change statistics and averages over all
    dyads. Pooled over the table's years, or ``per_year``.
    """
    if per_year:
        return _per_year(
            probability_by_degree,
            fit,
            table,
            structure,
            kind=kind,
            measure=measure,
            formula=formula if formula is not None else table.attrs.get("formula"),
            max_k=max_k,
        )
    names = [c for c in table.columns if c not in _NON_STAT]
    coefs = _drop_infinite(coefficient_series(fit, names))
    di, dj = structure["degree_i"].to_numpy(), structure["degree_j"].to_numpy()
    funcs = {"max": np.maximum, "min": np.minimum, "sum": np.add}
    if measure not in funcs:
        raise InterpretError(f"measure must be one of {sorted(funcs)}, got {measure!r}")
    ks = funcs[measure](di, dj)
    if kind == "empirical":
        top = int(ks.max()) if max_k is None else int(max_k)
        out = _empirical(table, ks, top, "degree")
        out["measure"] = measure
        return out
    if kind != "counterfactual":
        raise InterpretError(f"kind must be 'empirical' or 'counterfactual', got {kind!r}")
    top = int(np.maximum(di, dj).max()) if max_k is None else int(max_k)
    # gwdegree change statistic when both endpoints have degree k: 2 r^k
    out = _counterfactual(table, coefs, top, "degree", formula)
    out["measure"] = "both endpoints"
    return out


def _counterfactual(table: pd.DataFrame, coefs: pd.Series, top: int, label: str, formula=None) -> pd.DataFrame:
    """Mean probability over all dyads with the structure term's change statistic set to the term's
    ``counterfactual_change(label, k)`` for k = 0..top, the other change statistics kept as observed."""
    col, term = _counterfactual_term(table, list(coefs.index), label, formula)
    X = table[list(coefs.index)].to_numpy(dtype=np.float64)
    theta = coefs.to_numpy()
    base = X @ theta - X[:, col] * theta[col]
    rows = [
        {
            label: k,
            "probability": float(_logistic(base + theta[col] * term.counterfactual_change(label, k)).mean()),
            "n_dyads": len(X),
            "kind": "counterfactual",
        }
        for k in range(top + 1)
    ]
    return pd.DataFrame(rows)


_NON_STAT = {"tie", "i", "j", "t", "i.name", "j.name", "year", "probability"}


def _per_year(func, fit, table: pd.DataFrame, structure: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """Run an averaging function on each year of the table; rows get a leading ``year`` column."""
    parts = []
    for year, rows in table.groupby("year", sort=True):
        frame = func(fit, rows, structure.loc[rows.index], **kwargs)
        frame.insert(0, "year", year)
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def _empirical(table: pd.DataFrame, ks: np.ndarray, top: int, label: str) -> pd.DataFrame:
    p = table["probability"].to_numpy()
    keep = ks <= top
    counts = np.bincount(ks[keep], minlength=top + 1)
    sums = np.bincount(ks[keep], weights=p[keep], minlength=top + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    out = pd.DataFrame({label: np.arange(top + 1), "probability": means, "n_dyads": counts, "kind": "empirical"})
    return out[out["n_dyads"] > 0].reset_index(drop=True)


def binary_covariate_effect(fit, table: pd.DataFrame, name: str, low: float = 0.0, high: float = 1.0) -> dict:
    """Average difference in tie probability with change statistic ``name`` set to ``high`` vs ``low``.

    Everything else is held at each dyad's observed change statistics; the result averages over all
    dyads of the table: mean p(high) − mean p(low) (for memory's ±1 coding pass ``low=-1``).
    """
    names = [c for c in table.columns if c not in _NON_STAT]
    coefs = _drop_infinite(coefficient_series(fit, names))
    if name not in coefs.index:
        raise InterpretError(f"no coefficient {name!r} (have {list(coefs.index)})")
    X = table[list(coefs.index)].to_numpy(dtype=np.float64)
    theta = coefs.to_numpy()
    col = list(coefs.index).index(name)
    base = X @ theta - X[:, col] * theta[col]
    p_high = float(_logistic(base + theta[col] * high).mean())
    p_low = float(_logistic(base + theta[col] * low).mean())
    return {
        "term": name,
        "low": low,
        "high": high,
        "p_low": p_low,
        "p_high": p_high,
        "difference": p_high - p_low,
        "n_dyads": len(X),
    }


# --------------------------------------------------------------------------- intervals
def with_bootstrap_intervals(
    average: Callable[..., pd.DataFrame],
    fit,
    table: pd.DataFrame,
    structure: pd.DataFrame,
    level: float = 0.95,
    **kwargs,
) -> pd.DataFrame:
    """``average(fit, table, structure, **kwargs)`` with ``lower``/``upper``: a bootstrap interval per row.

    ``average`` is :func:`probability_by_shared_partners` or :func:`probability_by_degree`. Each
    complete bootstrap replicate of ``fit`` (``fit.boot_t``) recomputes every dyad's probability
    and the average; the interval is the percentile interval of those averages (boot's ``perc``),
    so it carries the coefficients' uncertainty (the dyads are held at their observed state).
    Without replicates the bounds are NaN. The level is recorded in ``frame.attrs["level"]``.
    """
    from customsnet.modeling.estimation.bootstrap import percentile_interval

    if kwargs.get("per_year"):
        raise InterpretError("bootstrap intervals are computed for pooled averages (per_year=False)")
    frame = average(fit, table, structure, **kwargs)
    key = "shared_partners" if "shared_partners" in frame.columns else "degree"
    names = [c for c in table.columns if c not in _NON_STAT]
    boot = fit.boot_frame()[names].to_numpy(dtype=np.float64) if getattr(fit, "R", 0) else np.zeros((0, len(names)))
    boot = boot[np.all(np.isfinite(boot), axis=1)]
    frame["lower"], frame["upper"] = np.nan, np.nan
    if len(boot):
        X = table[names].to_numpy(dtype=np.float64)
        stats = table[names]
        values = np.full((len(boot), len(frame)), np.nan)
        for r, theta in enumerate(boot):
            rep = stats.assign(probability=_logistic(X @ theta))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a replicate's infinite coefficient is dropped as in edgeprob
                out = average(pd.Series(theta, index=names), rep, structure, **kwargs)
            values[r] = out.set_index(key)["probability"].reindex(frame[key]).to_numpy()
        bounds = [
            percentile_interval(col[np.isfinite(col)], level) if np.isfinite(col).any() else (np.nan, np.nan)
            for col in values.T
        ]
        frame["lower"] = [b[0] for b in bounds]
        frame["upper"] = [b[1] for b in bounds]
    frame.attrs["level"] = level
    return frame


# --------------------------------------------------------------------------- figure
def probability_figure(frames: list[pd.DataFrame], title: str = ""):
    """The study's Figure 9: average predicted tie probability per number of shared partners / degree.

    One panel per frame (an output of :func:`probability_by_shared_partners` or
    :func:`probability_by_degree`, with ``lower``/``upper`` from :func:`with_bootstrap_intervals`
    drawn as 95% interval whiskers when present). Panel titles say which average (empirical or
    counterfactual) it is, so the two are never confused; put the formula in the caption.
    """
    from customsnet.modeling.evaluation.plots import (
        DOUBLE_COLUMN,
        SINGLE_COLUMN,
        new_figure,
        publication_style,
    )

    with publication_style():
        fig = new_figure(DOUBLE_COLUMN if len(frames) > 1 else SINGLE_COLUMN, 2.6 if len(frames) <= 2 else 4.6)
        ncols = min(len(frames), 2)
        axes = fig.subplots(-(-len(frames) // ncols), ncols, squeeze=False).ravel()
        for ax in axes[len(frames) :]:
            ax.set_visible(False)
        for ax, frame in zip(axes, frames):
            xcol = "shared_partners" if "shared_partners" in frame.columns else "degree"
            x = frame[xcol].to_numpy()
            p = frame["probability"].to_numpy(dtype=float)
            ax.bar(x, p, width=0.75, color="#0072B2", alpha=0.85)
            if {"lower", "upper"} <= set(frame.columns) and np.isfinite(frame["lower"]).any():
                # the interval from its own centre: a percentile interval need not contain p
                lo, hi = frame["lower"].to_numpy(float), frame["upper"].to_numpy(float)
                ax.errorbar(
                    x, (lo + hi) / 2, yerr=(hi - lo) / 2, fmt="none", elinewidth=0.7, ecolor="#333333", capsize=1.5
                )
            kind = frame["kind"].iloc[0] if len(frame) else ""
            ax.set_title(f"{xcol.replace('_', ' ').capitalize()} ({kind})")
            ax.set_xlabel(
                "shared partners"
                if xcol == "shared_partners"
                else f"degree ({frame['measure'].iloc[0]})"
                if "measure" in frame.columns and len(frame)
                else "degree"
            )
            ax.set_ylabel("mean predicted probability")
            step = max(1, math.ceil(len(x) / 12))
            ax.set_xticks(x[::step])
            ax.set_ylim(0, None)
        if title:
            fig.suptitle(title)
    return fig


def plot_probability_bars(frames: list[pd.DataFrame], path: str | Path, title: str = "") -> list[Path]:
    """:func:`probability_figure` written to ``path`` (format by extension; PNG + PDF without one)."""
    from customsnet.modeling.evaluation.plots import save_figure

    return save_figure(probability_figure(frames, title), path)
