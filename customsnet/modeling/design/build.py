"""Panel + formula -> Design: btergm's ``tergmprepare`` + ``ergmMPLE`` data preparation.

Per modeled year (spec §3.4, §4.2, §4.3):

1. **Lag trimming.** With ``K`` the largest lag of any temporal term, the first ``K`` years only
   serve as predecessors; covariates are paired with the same calendar year, lagged networks
   with year ``t - lag``; ``timecov`` counts calendar positions in the untrimmed year list.
2. **Composition (offset = FALSE).** A step keeps the nodes present in the response network
   of year ``t`` and in every lagged network a temporal term reads, matched by label, in the
   order of year ``t``. (Panel covariates are aligned to the year's node set, so they do not
   shrink it further.)
3. **Missing values** in the covariates the formula reads: ``"error"`` (default; names term,
   year and number of dyads), ``"drop-nodes"`` (iteratively drop the node(s) with most missing
   values, like ``handleMissings(method = "remove")``), ``"impute-zero"``, ``"impute-mode"``.
4. **Rows.** Change statistics of every dyad (``i < j`` if undirected), then, when
   ``compress``, one row per distinct ``(x, y)`` with its count as weight, within the step.

The finished design is checked for terms constant over all rows and for exact collinearity.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from customsnet.modeling.design.design import Design, RowStore, StepDesign
from customsnet.modeling.panel.panel import Panel, PanelError
from customsnet.modeling.terms.base import StepInputs, all_dyads, tie_values
from customsnet.modeling.terms.formula import Formula, as_formula

MISSING_POLICIES = ("error", "drop-nodes", "impute-zero", "impute-mode")

#: eigenvalue (relative to the largest) of the scaled Gram matrix below which columns are collinear
COLLINEARITY_TOLERANCE = 1e-10


class DesignError(ValueError):
    """The design cannot be built or would not identify the model (NaN, constant, collinear)."""


# ------------------------------------------------------------------------------ node alignment
def positions(labels_from: np.ndarray, labels_to: np.ndarray) -> np.ndarray:
    """Index of each ``labels_to`` entry in ``labels_from``; -1 where absent (a loop over nodes, not dyads)."""
    index = {label: k for k, label in enumerate(labels_from.tolist())}
    return np.array([index.get(label, -1) for label in labels_to.tolist()], dtype=np.int64)


def restrict_network(network: sp.csr_matrix, labels_from: np.ndarray, labels_to: np.ndarray) -> sp.csr_matrix:
    """Re-index a network to ``labels_to``; nodes absent from ``labels_from`` have no ties."""
    pos = positions(labels_from, labels_to)
    present = np.flatnonzero(pos >= 0)
    # selection matrix S (to x from) so that S A S' re-indexes rows and columns in one product
    select = sp.csr_matrix((np.ones(len(present)), (present, pos[present])), shape=(len(labels_to), len(labels_from)))
    return (select @ network @ select.T).tocsr()


def step_nodes(panel: Panel, lhs: str, year_index: int, lags: Iterable[int]) -> tuple[np.ndarray, list[str]]:
    """Labels a modeled step keeps (offset = FALSE composition rule) and the labels it drops."""
    year = panel.years[year_index]
    labels = panel.nodes[year]
    keep = np.ones(len(labels), dtype=bool)
    for lag in lags:
        earlier = panel.nodes[panel.years[year_index - lag]]
        keep &= np.isin(labels, earlier)
    return labels[keep], labels[~keep].tolist()


def cut_step(panel: Panel, formula: Formula, year_index: int, labels: np.ndarray) -> StepInputs:
    """The :class:`StepInputs` of one modeled year, restricted to ``labels``."""
    year = panel.years[year_index]
    own = panel.nodes[year]
    idx = positions(own, labels)
    network = panel.network(formula.lhs, year)[idx][:, idx].tocsr()
    lagged = {}
    for lag in formula.lags:
        earlier_year = panel.years[year_index - lag]
        lagged[lag] = restrict_network(panel.network(formula.lhs, earlier_year), panel.nodes[earlier_year], labels)
    dyad_covs = {name: panel.dyad_cov(name, year)[np.ix_(idx, idx)] for name in formula.dyad_covariates}
    node_attrs = {name: panel.node_attr(name, year)[idx] for name in formula.node_attributes}
    return StepInputs(
        year=year,
        nodes=labels,
        network=network,
        directed=panel.directed,
        lagged=lagged,
        dyad_covs=dyad_covs,
        node_attrs=node_attrs,
        time_index=year_index + 1,
        n_times=len(panel.years),
    )


def union_step(panel: Panel, formula: Formula, year_index: int) -> tuple[StepInputs, list[str]]:
    """btergm's ``offset = TRUE`` composition of one modeled year: the union of the node sets.

    The step keeps every node of year ``t`` and of each lagged year a temporal term reads (year
    ``t``'s order, then the others in order of appearance). As btergm's ``adjust(value = 1)`` does,
    every object gets the nodes it lacks with the value 1 in their rows and columns: the response
    network (a node absent at ``t`` is tied to everybody), the lagged networks, the covariates and
    the node attributes. Returns the inputs and the labels absent from some object: every dyad
    touching one is a structural zero, which :func:`build_design` leaves out of the rows (btergm
    deletes the rows whose offset covariate is non-zero). Dependence terms of the remaining dyads
    are computed on the filled network, exactly as in btergm.
    """
    year = panel.years[year_index]
    own = panel.nodes[year]
    sets = [own] + [panel.nodes[panel.years[year_index - lag]] for lag in formula.lags]
    labels = np.array(list(dict.fromkeys(label for nodes in sets for label in nodes.tolist())), dtype=own.dtype)
    n = len(labels)
    off_diagonal = ~np.eye(n, dtype=bool)

    def filled_network(network: sp.csr_matrix, labels_from: np.ndarray) -> sp.csr_matrix:
        lacking = ~np.isin(labels, labels_from)
        fill = (lacking[:, None] | lacking[None, :]) & off_diagonal
        restricted = restrict_network(network, labels_from, labels).toarray()
        return sp.csr_matrix(np.where(fill, 1.0, restricted))

    idx = positions(own, labels)
    here = idx >= 0

    def filled_matrix(m: np.ndarray) -> np.ndarray:
        out = np.ones((n, n))
        out[np.ix_(here, here)] = m[np.ix_(idx[here], idx[here])]
        return out

    def filled_vector(a: np.ndarray) -> np.ndarray:
        out = np.ones(n)
        out[here] = a[idx[here]]
        return out

    lagged = {}
    for lag in formula.lags:
        earlier_year = panel.years[year_index - lag]
        lagged[lag] = filled_network(panel.network(formula.lhs, earlier_year), panel.nodes[earlier_year])
    absent = [label for label in labels.tolist() if not all(label in set(nodes.tolist()) for nodes in sets)]
    inputs = StepInputs(
        year=year,
        nodes=labels,
        network=filled_network(panel.network(formula.lhs, year), own),
        directed=panel.directed,
        lagged=lagged,
        dyad_covs={name: filled_matrix(panel.dyad_cov(name, year)) for name in formula.dyad_covariates},
        node_attrs={name: filled_vector(panel.node_attr(name, year)) for name in formula.node_attributes},
        time_index=year_index + 1,
        n_times=len(panel.years),
    )
    return inputs, absent


def subset_step(step: StepInputs, keep: np.ndarray) -> StepInputs:
    """The step restricted to the node positions ``keep`` (boolean mask)."""
    idx = np.flatnonzero(keep)
    return dataclasses.replace(
        step,
        nodes=step.nodes[idx],
        network=step.network[idx][:, idx].tocsr(),
        lagged={k: m[idx][:, idx].tocsr() for k, m in step.lagged.items()},
        dyad_covs={k: m[np.ix_(idx, idx)] for k, m in step.dyad_covs.items()},
        node_attrs={k: a[idx] for k, a in step.node_attrs.items()},
    )


# ------------------------------------------------------------------------------ missing values
def _dyad_mask(n: int, directed: bool) -> np.ndarray:
    """Cells that are informative dyads: off-diagonal, and upper triangle only if undirected."""
    return ~np.eye(n, dtype=bool) if directed else np.triu(np.ones((n, n), dtype=bool), 1)


def missing_per_node(step: StepInputs) -> np.ndarray:
    """Missing values touching each node: NaN dyads it is part of; a NaN attribute counts as all of them."""
    n = step.n
    mask = _dyad_mask(n, step.directed)
    counts = np.zeros(n)
    for m in step.dyad_covs.values():
        bad = np.isnan(m) & mask
        counts += bad.sum(axis=0) + bad.sum(axis=1)
    for a in step.node_attrs.values():
        counts += np.where(np.isnan(a), 2 * n, 0)
    return counts


def drop_missing_nodes(step: StepInputs) -> tuple[StepInputs, list[str]]:
    """Iteratively drop the node(s) with the most missing values until none remain (handleMissings 'remove')."""
    dropped: list[str] = []
    while step.n:
        counts = missing_per_node(step)
        worst = counts.max(initial=0)
        if worst == 0:
            break
        drop = counts == worst
        dropped.extend(step.nodes[drop].tolist())
        step = subset_step(step, ~drop)
    return step, dropped


def _mode(values: np.ndarray) -> float:
    """Most frequent non-NaN value (the smallest one on ties; 0 when all are missing)."""
    values = values[~np.isnan(values)]
    if values.size == 0:
        return 0.0
    uniq, counts = np.unique(values, return_counts=True)
    return float(uniq[np.argmax(counts)])


def impute_missing(step: StepInputs, how: str) -> tuple[StepInputs, dict[str, int]]:
    """Replace NaN covariate values by 0 or by the step's modal value; returns the counts replaced."""
    mask = _dyad_mask(step.n, step.directed)
    filled: dict[str, int] = {}
    covs = {}
    for name, m in step.dyad_covs.items():
        bad = np.isnan(m)
        if bad.any():
            value = 0.0 if how == "impute-zero" else _mode(m[mask])
            m = np.where(bad, value, m)
            filled[name] = int((bad & mask).sum())
        covs[name] = m
    attrs = {}
    for name, a in step.node_attrs.items():
        bad = np.isnan(a)
        if bad.any():
            value = 0.0 if how == "impute-zero" else _mode(a)
            a = np.where(bad, value, a)
            filled[name] = int(bad.sum())
        attrs[name] = a
    return dataclasses.replace(step, dyad_covs=covs, node_attrs=attrs), filled


def apply_missing_policy(step: StepInputs, policy: str) -> tuple[StepInputs, dict]:
    """Apply ``policy`` to one step's inputs; returns the new inputs and a record of what changed."""
    if policy not in MISSING_POLICIES:
        raise DesignError(f"unknown missing-value policy {policy!r}; choose one of {', '.join(MISSING_POLICIES)}")
    if policy == "error":
        return step, {}
    if policy == "drop-nodes":
        step, dropped = drop_missing_nodes(step)
        return step, ({"dropped_nodes": dropped} if dropped else {})
    step, filled = impute_missing(step, policy)
    return step, ({"imputed": filled} if filled else {})


# ------------------------------------------------------------------------------ rows
def _report_nan(names: list[str], X: np.ndarray, year: int) -> None:
    bad_cols = np.flatnonzero(np.isnan(X).any(axis=0))
    if not len(bad_cols):
        return
    detail = "; ".join(f"{names[c]}: {int(np.isnan(X[:, c]).sum())} of {len(X)} dyads" for c in bad_cols)
    raise DesignError(
        f"missing values (NaN) in the change statistics of year {year} ({detail}). Clean the covariates, "
        f"or choose a missing-value policy: missing='drop-nodes' (drop node-years with missing values, like "
        f"btergm's handleMissings remove), 'impute-zero' or 'impute-mode' (options: {', '.join(MISSING_POLICIES)})"
    )


def _exact_row_groups(key: np.ndarray) -> np.ndarray:
    """Labels of identical rows by hashing one column at a time (slower, collision-free fallback).

    The running label is combined with the next column's label and re-factorized, so labels
    never exceed the row count.
    """
    labels = np.zeros(len(key), dtype=np.int64)
    for col in key.T:
        codes, uniques = pd.factorize(col, use_na_sentinel=False)
        labels, _ = pd.factorize(labels * len(uniques) + codes, use_na_sentinel=False)
    return labels.astype(np.int64)


def _first_occurrence(labels: np.ndarray, n_groups: int) -> np.ndarray:
    first = np.empty(n_groups, dtype=np.int64)
    first[labels[::-1]] = np.arange(len(labels) - 1, -1, -1)  # last write wins: the first occurrence
    return first


def row_groups(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group labels of identical rows (exact float equality, numbered by first appearance) and each group's first row.

    Each row's bytes are mixed into one 64-bit hash that is factorized in a single pass; the
    grouping is then verified row by row against the group's first row, and any hash collision
    falls back to the exact column-by-column grouping.
    """
    key = np.ascontiguousarray(key + 0.0)  # + 0.0: -0.0 and 0.0 get the same bytes
    bits = key.view(np.uint64)
    h = np.full(len(key), 0x9E3779B97F4A7C15, dtype=np.uint64)
    for col in bits.T:
        h = (h ^ col) * np.uint64(0xBF58476D1CE4E5B9)  # wraps modulo 2^64 by design
        h ^= h >> np.uint64(31)
    labels, uniques = pd.factorize(h)
    labels = labels.astype(np.int64)
    first = _first_occurrence(labels, len(uniques))
    if not np.array_equal(bits[first[labels]], bits):
        labels = _exact_row_groups(key)
        first = _first_occurrence(labels, int(labels.max()) + 1)
    return labels, first


def compress_rows(
    X: np.ndarray, y: np.ndarray, lag_tie: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, bool]:
    """Merge rows with identical ``(x, y)`` (exact equality) into one row with a count weight.

    Returns ``X, y, w``, the rows' ``lag_tie`` and whether ``lag_tie`` was constant within every
    merged group (if not, ``lag_tie`` is ``None``).
    """
    labels, first = row_groups(np.column_stack([X, y]))
    n_groups = len(first)
    counts = np.bincount(labels, minlength=n_groups)
    lag_out = None
    consistent = True
    if lag_tie is not None:
        tied = np.bincount(labels, weights=lag_tie, minlength=n_groups)
        consistent = bool(np.all((tied == 0) | (tied == counts)))
        lag_out = (tied > 0).astype(np.float64) if consistent else None
    return X[first], y[first], counts.astype(np.float64), lag_out, consistent


def lag_ties(
    panel: Panel, lhs: str, year_index: int, step: StepInputs, tail: np.ndarray, head: np.ndarray
) -> np.ndarray:
    """Each dyad's tie in the previous panel year (0 where a node was absent then)."""
    earlier = step.lagged.get(1)
    if earlier is None:  # no term reads lag 1: cut it here
        prev = panel.years[year_index - 1]
        earlier = restrict_network(panel.network(lhs, prev), panel.nodes[prev], step.nodes)
    return tie_values(earlier, tail, head)


# ------------------------------------------------------------------------------ design checks
def check_constant_terms(names: list[str], steps: list[StepDesign]) -> None:
    """Raise if a term other than ``edges`` takes one value on every row of every step."""
    lo = np.min([s.X.min(axis=0) for s in steps], axis=0)
    hi = np.max([s.X.max(axis=0) for s in steps], axis=0)
    n_rows = sum(int(s.w.sum()) for s in steps)
    for k, name in enumerate(names):
        if name != "edges" and lo[k] == hi[k]:
            raise DesignError(
                f"term {name} is constant ({lo[k]:g}) over all {n_rows} dyads in all {len(steps)} modeled years "
                f"({steps[0].year}-{steps[-1].year}); it is not identified - remove it or check its covariate"
            )


def check_collinearity(names: list[str], steps: list[StepDesign], tolerance: float = COLLINEARITY_TOLERANCE) -> None:
    """Raise if the columns are linearly dependent (rank check on the scaled weighted Gram matrix)."""
    gram = sum(s.X.T @ (s.X * s.w[:, None]) for s in steps)
    scale = np.sqrt(np.diag(gram))
    scale[scale == 0] = 1.0
    scaled = gram / np.outer(scale, scale)
    values, vectors = np.linalg.eigh(scaled)
    small = values < tolerance * max(values.max(), 1.0)
    if not small.any():
        return
    involved = np.abs(vectors[:, small]).max(axis=1) > 1e-6
    groups = [names[k] for k in np.flatnonzero(involved)]
    raise DesignError(
        f"terms {groups} are exactly collinear over the {len(steps)} modeled years (the weighted Gram matrix "
        f"has rank {len(names) - int(small.sum())} < {len(names)} columns); remove one of them"
    )


# ------------------------------------------------------------------------------ the builder
def _prepare_step(
    panel: Panel, formula: Formula, year_index: int, missing: str, offset: bool = False
) -> tuple[StepInputs, list[str], dict]:
    """Inputs of one modeled year after composition and the missing-value policy.

    The labels returned are those dropped (``offset=False``) or those whose dyads are structural
    zeros (``offset=True``, see :func:`union_step`).
    """
    year = panel.years[year_index]
    try:
        if offset:
            inputs, absent = union_step(panel, formula, year_index)
        else:
            labels, absent = step_nodes(panel, formula.lhs, year_index, formula.lags)
            inputs = cut_step(panel, formula, year_index, labels)
    except PanelError as exc:
        raise DesignError(f"year {year}: {exc}") from None
    inputs, record = apply_missing_policy(inputs, missing)
    if inputs.n < 2:
        raise DesignError(
            f"year {year} keeps {inputs.n} node(s) after composition and missing-value handling; "
            "a step needs at least 2"
        )
    return inputs, absent, record


def step_inputs(panel: Panel, formula: Formula | str, year: int, *, missing: str = "error") -> StepInputs:
    """The :class:`StepInputs` of one modeled year, exactly as :func:`build_design` cuts it.

    For the sampler, GOF and prediction: the response network, lagged networks and covariates
    of ``year`` on the step's node set (composition rule and missing-value policy applied).
    """
    formula = as_formula(formula)
    if year not in panel.years:
        raise DesignError(f"the panel has no year {year} (years {panel.years[0]}-{panel.years[-1]})")
    year_index = panel.years.index(year)
    if year_index < formula.max_lag:
        raise DesignError(
            f"year {year} cannot be modeled: the formula reads networks {formula.max_lag} year(s) back and the "
            f"panel starts in {panel.years[0]}"
        )
    return _prepare_step(panel, formula, year_index, missing)[0]


def build_design(
    panel: Panel,
    formula: Formula | str,
    *,
    compress: bool = True,
    missing: str = "error",
    check: bool = True,
    offset: bool = False,
) -> Design:
    """Build btergm's MPLE design from a panel (see the module docstring for the rules).

    ``compress=False`` keeps one row per dyad with ``tail``/``head`` (indices into the step's
    ``nodes``). ``lag_tie`` (the dyad's tie in the previous panel year) is filled whenever the
    formula has a temporal term; in compressed mode only if it is constant within every merged
    row group (it is whenever a lag-1 ``memory`` term is present), otherwise it is ``None``.
    ``check=False`` skips the constant/collinearity checks (e.g. a single year built for prediction).
    ``offset=True`` is btergm's ``offset = TRUE`` composition (:func:`union_step`): the union of the
    node sets with the dyads of nodes absent from some object left out as structural zeros, instead
    of dropping those nodes; ``meta["composition"]`` records them per year. It gives the same rows as
    ``offset=False`` when every term is dyad-independent; dependence terms differ (as in btergm).
    """
    formula = as_formula(formula)
    if formula.lhs not in panel.networks:
        raise DesignError(f"the panel has no network {formula.lhs!r} (networks: {sorted(panel.networks)})")
    formula = formula.for_panel(panel)  # terms named by attribute levels learn them (nodefactor, nodemix ...)
    names = formula.coef_names(panel.directed)
    max_lag = formula.max_lag
    if len(panel.years) <= max_lag:
        raise DesignError(
            f"the formula reads networks {max_lag} year(s) back, so it needs more than {max_lag} years; "
            f"the panel has {len(panel.years)} ({panel.years})"
        )
    steps: list[StepDesign] = []
    composition: dict[str, dict] = {}
    missing_record: dict[str, dict] = {}
    lag_tie_consistent = True
    structural_pairs = 0  # ordered pairs that are structural zeros (offset=True), for btergm's nobs
    capacity = _row_capacity(panel, max_lag) if not offset else 0  # offset=True: steps keep their own arrays
    store = RowStore(len(names), capacity)
    for year_index in range(max_lag, len(panel.years)):
        year = panel.years[year_index]
        inputs, absent, record = _prepare_step(panel, formula, year_index, missing, offset)
        if record:
            missing_record[str(year)] = record
        tail, head = all_dyads(inputs.n, panel.directed)
        if offset:
            zero = np.isin(inputs.nodes, absent)
            informative = ~(zero[tail] | zero[head])
            composition[str(year)] = {
                "n_nodes": int(inputs.n),
                "structural_zero_nodes": [label for label in absent if label in set(inputs.nodes.tolist())],
                "structural_zero_dyads": int((~informative).sum()),
            }
            structural_pairs += int((~informative).sum()) * (1 if panel.directed else 2)
            tail, head = tail[informative], head[informative]
        else:
            composition[str(year)] = {"n_nodes": int(inputs.n), "dropped_by_composition": absent}
        X = formula.change_stats(inputs, tail, head)
        _report_nan(names, X, year)
        y = tie_values(inputs.network, tail, head)
        lag_tie = lag_ties(panel, formula.lhs, year_index, inputs, tail, head) if max_lag else None
        if compress:
            Xc, yc, w, lag_c, consistent = compress_rows(X, y, lag_tie)
            lag_tie_consistent &= consistent
            Xs, ys, ws = store.append(Xc, yc, w)
            steps.append(StepDesign(year=year, X=Xs, y=ys, w=ws, nodes=inputs.nodes, lag_tie=_as_ties(lag_c)))
        else:
            Xs, ys, ws = store.append(X, y, np.ones(len(y)))
            steps.append(
                StepDesign(
                    year=year, X=Xs, y=ys, w=ws, nodes=inputs.nodes, tail=tail, head=head, lag_tie=_as_ties(lag_tie)
                )
            )
        del X, y, lag_tie  # this step's full-size arrays: only the store's copy stays
    if compress and not lag_tie_consistent:
        for s in steps:
            s.lag_tie = None
    if store.holds(steps):
        store.trim(steps)
    else:
        store = None
    if check:
        check_constant_terms(names, steps)
        check_collinearity(names, steps)
    meta = {
        "max_lag": max_lag,
        "modeled_years": [s.year for s in steps],
        "time_index": {str(panel.years[k]): k + 1 for k in range(max_lag, len(panel.years))},
        "compressed": compress,
        "composition": composition,
        "missing_policy": missing,
        "missing": missing_record,
        "lag_tie": _lag_tie_note(max_lag, compress, lag_tie_consistent),
        "n_rows": int(sum(len(s.y) for s in steps)),
        "offset": offset,
    }
    if offset:
        meta["structural_zero_pairs"] = structural_pairs
    return Design(names=names, steps=steps, directed=panel.directed, formula=str(formula), meta=meta, store=store)


def _row_capacity(panel: Panel, max_lag: int) -> int:
    """Upper bound of the design's rows: every dyad of every modeled year (composition only removes)."""
    sizes = [len(panel.nodes[year]) for year in panel.years[max_lag:]]
    return int(sum(n * (n - 1) if panel.directed else n * (n - 1) // 2 for n in sizes))


def _as_ties(lag: np.ndarray | None) -> np.ndarray | None:
    """Previous-year ties as int8 (0/1): an eighth of float64 storage."""
    return None if lag is None else np.asarray(lag).astype(np.int8)


def _lag_tie_note(max_lag: int, compress: bool, consistent: bool) -> str:
    if not max_lag:
        return "absent: the formula has no temporal term"
    if compress and not consistent:
        return "absent: rows merged by (x, y) mix previously tied and untied dyads; use compress=False"
    return "tie in the previous panel year (0 for nodes absent then)"
