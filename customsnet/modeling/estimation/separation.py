"""Does the MPLE exist? ergm's linear-programme check, and which coefficients are identified.

The logit MPLE fails to exist exactly when some direction ``d != 0`` satisfies ``X~ d >= 0`` with
``X~ = diag(2y - 1) X`` over the rows with positive weight (ergm's ``mple.existence``): moving the
coefficients along ``d`` never lowers any row's likelihood. Rows with ``x~.d > 0`` for some such
``d`` are *separated*: the likelihood pushes their probabilities to 0 or 1 and they carry no
information on the rest. The remaining ("overlap") rows determine every identified quantity: the
coefficients are identified on the orthogonal complement of the null space of the overlap rows,
and the MPLE there is the limit of the likelihood maximisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from customsnet.modeling.estimation.logit_stats import StackedRows

ROW_TOL = 1e-9  # x~.d above this (relative to the row's scale) marks a separated row
NULL_TOL = 1e-10  # relative eigenvalue tolerance for the null space of the overlap rows


@dataclass
class Identification:
    """Existence and identification of a logit MPLE on a set of rows."""

    names: list[str]
    exists: bool
    separated: np.ndarray  # bool per stacked row
    directions: np.ndarray  # (k, p) recession directions found by the LP (rows, unit max-norm)
    null_space: np.ndarray  # (m, p) orthonormal basis of directions not identified by the overlap rows
    identified: np.ndarray  # bool per coefficient
    combinations: list[tuple[dict[str, float], np.ndarray]] = field(default_factory=list)
    reason: str = ""
    #: offsets: the fixed coefficient per column, NaN where the coefficient is estimated (None: no offsets)
    fixed: np.ndarray | None = None

    @property
    def free(self) -> np.ndarray:
        """Bool per coefficient: estimated (not an offset)."""
        return np.ones(len(self.names), dtype=bool) if self.fixed is None else np.isnan(self.fixed)

    @property
    def shift(self) -> np.ndarray:
        """The fixed part of every coefficient vector: offsets' values, 0 elsewhere."""
        return np.zeros(len(self.names)) if self.fixed is None else np.where(self.free, 0.0, self.fixed)

    @property
    def basis(self) -> np.ndarray:
        """Orthonormal basis (p, q) of the identified subspace of the estimated coefficients (0 on offsets)."""
        free = self.free
        p, k = len(self.names), int(free.sum())
        null = self.null_space[:, free] if len(self.null_space) else self.null_space
        if len(null) == 0:
            sub = np.eye(k)
        else:
            _, _, vt = np.linalg.svd(null, full_matrices=True)
            sub = vt[len(null) :].T
        out = np.zeros((p, sub.shape[1]))
        out[free] = sub
        return out

    @property
    def not_identified(self) -> list[str]:
        return [n for n, ok in zip(self.names, self.identified) if not ok]

    def combination_labels(self) -> list[str]:
        return [format_combination(c) for c, _ in self.combinations]


def recession_directions(
    X: np.ndarray, y: np.ndarray, w: np.ndarray, max_rounds: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """Directions ``d`` with ``X~ d >= 0`` (ergm's LP, weighted objective) and the separated rows.

    Round ``k`` maximises ``sum_r w_r x~_r.d`` over ``-1 <= d <= 1`` subject to ``x~_r.d >= 0`` on
    the rows not yet separated; rows it makes strictly positive join the separated set (a large
    multiple of the earlier directions keeps them positive, so their constraints may be dropped).
    Stops when the optimum is zero: the union is then the maximal separated set.
    """
    active = w > 0
    sign = 2.0 * y - 1.0
    scale = _row_abs_max(X)
    separated = np.zeros(len(y), dtype=bool)
    directions = []
    for _ in range(max_rounds):
        rows = np.flatnonzero(active & ~separated)
        if len(rows) == 0:
            break
        A = _SignedRows(X, sign, rows)
        c = -A.weighted_sum(w)
        if np.all(np.abs(c) < ROW_TOL):
            # no objective left: any d with A d >= 0 would still have to be zero on every row
            break
        res = _lp_by_constraint_generation(A, c, scale[rows])
        if res.status != 0:
            raise RuntimeError(f"separation LP failed: {res.message}")
        d = res.x
        hit = A.matvec(d) > ROW_TOL * scale[rows]
        if -res.fun <= ROW_TOL * max(1.0, float(w[rows].sum())) or not hit.any():
            break
        separated[rows[hit]] = True
        directions.append(d / np.abs(d).max())
    return np.array(directions).reshape(-1, X.shape[1]), separated


_CHUNK = 1 << 18  # rows per chunk of the full-length passes: temporaries stay small


def _row_abs_max(X: np.ndarray) -> np.ndarray:
    """``max(max_j |x_rj|, 1)`` per row, in chunks (no full-size temporary)."""
    out = np.empty(len(X))
    for lo in range(0, len(X), _CHUNK):
        out[lo : lo + _CHUNK] = np.abs(X[lo : lo + _CHUNK]).max(axis=1, initial=0.0)
    return np.maximum(out, 1.0)


class _SignedRows:
    """The LP's constraint rows ``x~_r = (2 y_r - 1) x_r`` for ``r`` in ``rows``, never materialised.

    With up to tens of millions of rows, a signed copy of ``X`` (and a gathered copy of it) would
    cost several times the design's own memory; every use here is a product or a column scan.
    """

    def __init__(self, X: np.ndarray, sign: np.ndarray, rows: np.ndarray) -> None:
        self.X, self.sign, self.rows = X, sign, rows
        self.shape = (len(rows), X.shape[1])
        self.all_rows = len(rows) == len(X)  # then no gathering is needed

    def matvec(self, d: np.ndarray) -> np.ndarray:
        v = self.X @ d
        v *= self.sign  # in place: one full-length temporary, not three
        return v if self.all_rows else v[self.rows]

    def weighted_sum(self, w: np.ndarray) -> np.ndarray:
        """``sum_r w_r x~_r`` over the rows."""
        v = np.zeros(len(self.X))
        v[self.rows] = w[self.rows] * self.sign[self.rows]
        return self.X.T @ v

    def take(self, subset: np.ndarray) -> np.ndarray:
        r = self.rows[subset]
        return self.X[r] * self.sign[r, None]

    def column_extremes(self) -> np.ndarray:
        """Positions (into ``rows``) of each column's minimum and maximum."""
        lo, hi = [], []
        for j in range(self.shape[1]):
            col = self.X[self.rows, j] * self.sign[self.rows]
            lo.append(int(np.argmin(col)))
            hi.append(int(np.argmax(col)))
        return np.array(lo + hi, dtype=np.int64)


def _lp_by_constraint_generation(A: _SignedRows, c: np.ndarray, scale: np.ndarray, batch: int = 4000):
    """``min c.d`` s.t. ``A d >= 0``, ``-1 <= d <= 1``, solving on growing subsets of the rows.

    With a handful of unknowns and up to a million rows, the optimum is pinned down by a few
    constraints: solve on a subset, add the rows the solution violates, repeat. When the subset's
    solution satisfies every row it is optimal for the full problem (the subset is a relaxation).
    """
    m, p = A.shape
    rng = np.random.default_rng(0)  # fixed: the subset only affects speed, not the answer
    extremes = A.column_extremes()
    subset = np.unique(np.concatenate([extremes, rng.choice(m, size=min(m, batch), replace=False)]))
    bounds = [(-1.0, 1.0)] * p
    for _ in range(200):
        res = linprog(c, A_ub=-A.take(subset), b_ub=np.zeros(len(subset)), bounds=bounds, method="highs")
        if res.status != 0:
            return res
        slack = A.matvec(res.x)
        violated = np.flatnonzero(slack < -ROW_TOL * scale)
        if len(violated) == 0:
            return res
        worst = violated[np.argsort(slack[violated] / scale[violated])[:batch]]
        subset = np.union1d(subset, worst)
    # fall back to the whole problem (never needed in practice)
    return linprog(c, A_ub=sp.csr_matrix(-A.take(np.arange(m))), b_ub=np.zeros(m), bounds=bounds, method="highs")


def null_space_of_rows(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Orthonormal basis (rows) of ``{d : x_r.d = 0 for every row with w_r > 0}``, numerically."""
    p = X.shape[1]
    keep = w > 0
    if not keep.any():
        return np.eye(p)
    # the weighted Gram matrix in chunks of rows (no copy of the kept rows), then scaled
    wk = np.where(keep, w, 0.0)
    gram = np.zeros((p, p))
    for lo in range(0, len(X), _CHUNK):
        Xc = X[lo : lo + _CHUNK]
        gram += Xc.T @ (Xc * wk[lo : lo + _CHUNK, None])
    norms = np.sqrt(np.maximum(np.diag(gram), 0.0))
    norms[norms == 0] = 1.0
    G = gram / np.outer(norms, norms)
    vals, vecs = np.linalg.eigh(G)
    small = vals <= NULL_TOL * max(vals.max(), 1e-300)
    if not small.any():
        return np.zeros((0, p))
    # back to the unscaled coordinates: d = D^-1 v spans the null space; re-orthonormalise
    null = (vecs[:, small] / norms[:, None]).T
    q, _ = np.linalg.qr(null.T)
    return q.T


def identify(rows: StackedRows, names: list[str], fixed: np.ndarray | None = None) -> Identification:
    """Existence check and identification for the rows of ``rows`` with positive weight.

    ``fixed`` (offsets: the fixed value per column, NaN where estimated) restricts the check to the
    estimated columns: a finite offset shifts the linear predictor but cannot create or remove a
    separating direction. Arrays of the result are in the coordinates of all columns (0 on offsets).
    """
    if fixed is not None and not np.isnan(fixed).all():
        return _identify_with_offsets(rows, names, np.asarray(fixed, dtype=np.float64))
    X, y, w = rows.X, rows.y, rows.w
    p = X.shape[1]
    directions, separated = recession_directions(X, y, w)
    overlap_w = np.where(separated, 0.0, w)
    null = null_space_of_rows(X, overlap_w)
    identified = np.ones(p, dtype=bool)
    if len(null):
        identified = np.linalg.norm(null, axis=0) < 1e-8
    combos = identified_combinations(null, names) if len(null) else []
    ident = Identification(
        names=list(names),
        exists=not separated.any() and len(null) == 0,
        separated=separated,
        directions=directions,
        null_space=null,
        identified=identified,
        combinations=combos,
    )
    ident.reason = describe(ident, X, y, w)
    return ident


def _identify_with_offsets(rows: StackedRows, names: list[str], fixed: np.ndarray) -> Identification:
    """:func:`identify` on the estimated columns, embedded in the coordinates of all columns."""
    free = np.isnan(fixed)
    sub = StackedRows(np.ascontiguousarray(rows.XT[free]), rows.y, rows.w, rows.offsets)
    part = identify(sub, [n for n, f in zip(names, free) if f])
    p = len(names)

    def embed(m: np.ndarray) -> np.ndarray:
        out = np.zeros((len(m), p))
        out[:, free] = m
        return out

    identified = np.ones(p, dtype=bool)
    identified[free] = part.identified
    return Identification(
        names=list(names),
        exists=part.exists,
        separated=part.separated,
        directions=embed(part.directions.reshape(-1, int(free.sum()))),
        null_space=embed(part.null_space.reshape(-1, int(free.sum()))),
        identified=identified,
        combinations=[(c, embed(v[None, :])[0]) for c, v in part.combinations],
        reason=part.reason,
        fixed=fixed,
    )


def identified_combinations(null: np.ndarray, names: list[str]) -> list[tuple[dict[str, float], np.ndarray]]:
    """Linear combinations of the non-identified coefficients that are identified.

    They span ``{c supported on the non-identified terms : c orthogonal to the null space}``;
    each is scaled so its largest |coefficient| is 1 and its first one positive
    (so ``edges - memory`` reads as such).
    """
    support = np.flatnonzero(np.linalg.norm(null, axis=0) >= 1e-8)
    sub = null[:, support]
    _, s, vt = np.linalg.svd(sub, full_matrices=True)
    rank = int(np.sum(s > 1e-8))
    out = []
    for v in vt[rank:]:
        c = np.zeros(len(names))
        c[support] = v
        c = c / np.abs(c).max()
        c[np.abs(c) < 1e-10] = 0.0
        c = c * np.sign(c[np.flatnonzero(c)[0]])  # first term positive: "edges - memory"
        out.append(({names[j]: float(np.round(c[j], 12)) for j in np.flatnonzero(c)}, c))
    return out


def format_combination(coefs: dict[str, float]) -> str:
    """``{'edges': 1, 'memory': -1}`` -> ``'edges - memory'``."""
    parts = []
    for k, (name, c) in enumerate(coefs.items()):
        sign = "-" if c < 0 else "+"
        mag = "" if np.isclose(abs(c), 1.0) else f"{abs(c):.4g}*"
        parts.append((f"{'-' if sign == '-' else ''}" if k == 0 else f" {sign} ") + f"{mag}{name}")
    return "".join(parts)


def describe(ident: Identification, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> str:
    """A sentence a researcher can act on: which terms, which rows, why."""
    if ident.exists:
        return "the MPLE exists: no direction separates the data (LP) and the overlap rows have full rank"
    bits = []
    sep = ident.separated
    if sep.any():
        n_sep = float(w[sep].sum())
        outcome = np.unique(y[sep])
        cause = _single_column_cause(ident.names, X, y, w, sep)
        what = f"{n_sep:,.0f} dyads are perfectly predicted (quasi-complete separation)"
        if cause:
            what = cause
        bits.append(what)
        if len(outcome) == 1 and not cause:
            bits.append(f"all of them have y = {int(outcome[0])}")
    if ident.not_identified:
        bits.append(
            f"{', '.join(ident.not_identified)} {'is' if len(ident.not_identified) == 1 else 'are'} not identified"
        )
        labels = ident.combination_labels()
        if labels:
            bits.append("only " + " and ".join(labels) + (" is" if len(labels) == 1 else " are") + " identified")
        else:
            bits.append("no combination of them is identified")
    return "; ".join(bits)


def _single_column_cause(names: list[str], X: np.ndarray, y: np.ndarray, w: np.ndarray, sep: np.ndarray) -> str:
    """If the separated rows are exactly the rows where one term takes one value, say so."""
    active = w > 0
    y_sep = np.unique(y[sep])
    if len(y_sep) != 1:
        return ""
    for j, name in enumerate(names):
        vals = np.unique(X[sep, j])
        if len(vals) != 1:
            continue
        same = active & (X[:, j] == vals[0])
        if np.array_equal(same, sep & active) and len(np.unique(X[active, j])) > 1:
            n = float(w[sep].sum())
            tied = "tied (y = 1)" if y_sep[0] == 1 else "untied (y = 0)"
            text = f"all {n:,.0f} dyads with {name} = {vals[0]:g} are {tied}"
            if "memory" in name and vals[0] == 1 and y_sep[0] == 1:
                text += ": ties never dissolve"
            elif "memory" in name and y_sep[0] == 0:
                text += ": no new ties form"
            return text
    return ""
