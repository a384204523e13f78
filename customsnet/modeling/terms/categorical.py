"""Terms on the levels of a node attribute: nodematch, nodefactor, nodeifactor, nodeofactor, nodemix, absdiffcat.

ergm takes the levels of an attribute as ``sort(unique(x))`` and selects some with ``levels=``
(``ergm_attr_levels``): ``NULL``/``TRUE`` all, positive numbers the positions to keep, negative
numbers the positions to drop, strings the labels to keep. The coefficient names carry the level
labels (``nodefactor.sex.M``), so these terms must know the levels before any year is read:
:meth:`~customsnet.modeling.terms.formula.Formula.for_panel` binds them to the levels over all panel
years (btergm fits every year with the same columns; a level absent in a year gives zeros there).
A categorical attribute is stored as codes into its labels (see :class:`~..panel.Panel`), a
numeric one by its values; either way ``AttrLevels = (values, labels)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from customsnet.modeling.terms import arguments as A
from customsnet.modeling.terms.arguments import Formal
from customsnet.modeling.terms.base import StepInputs, TermError, r_literal, r_number
from customsnet.modeling.terms.dyad_independent import DyadIndependent

AttrLevels = tuple[np.ndarray, tuple[str, ...]]

#: ergm's LEVELS_BASE1: every level but the first
BASE1 = (-1.0,)


def select_levels(term: str, spec: tuple | None, n: int, labels: tuple[str, ...]) -> list[int]:
    """Positions (0-based) of the levels ``spec`` keeps, as ``ergm_attr_levels`` reads it."""
    if spec is None or spec == ("__all__",):
        return list(range(n))
    if all(isinstance(v, str) for v in spec):
        unknown = [v for v in spec if v not in labels]
        if unknown:
            raise TermError(f"{term}: levels {unknown} do not occur (levels: {list(labels)})")
        return [labels.index(v) for v in spec]
    if not all(isinstance(v, (int, float)) and v == int(v) and v != 0 for v in spec):
        raise TermError(f"{term}: levels must be all labels or all nonzero positions, got {list(spec)}")
    pos = [int(v) for v in spec]
    if any(abs(p) > n for p in pos):
        raise TermError(f"{term}: level position out of range 1..{n} in {pos}")
    if all(p > 0 for p in pos):
        return [p - 1 for p in pos]
    if all(p < 0 for p in pos):
        drop = {-p - 1 for p in pos}
        return [k for k in range(n) if k not in drop]
    raise TermError(f"{term}: levels cannot mix positive and negative positions ({pos})")


def r_levels(spec: tuple) -> str:
    """R source for a ``levels=`` value."""
    if spec == ("__all__",):
        return "TRUE"
    parts = [r_literal(v) if isinstance(v, str) else r_number(v) for v in spec]
    return parts[0] if len(parts) == 1 else "c(" + ", ".join(parts) + ")"


class LevelTerm(DyadIndependent):
    """A dyad-independent term whose statistics are indexed by attribute levels (bound per panel)."""

    attr: str
    resolved: tuple | None

    def node_attributes(self) -> tuple[str, ...]:
        return (self.attr,)

    def with_levels(self, levels: Mapping[str, AttrLevels], directed: bool) -> LevelTerm:
        if self.attr not in levels:
            return self
        values, labels = levels[self.attr]
        resolved = self.resolve(np.asarray(values, dtype=np.float64), tuple(labels), directed)
        return dataclasses.replace(self, resolved=resolved)

    def resolve(self, values: np.ndarray, labels: tuple[str, ...], directed: bool) -> tuple:
        """The selected levels: ``(values, labels)`` (subclasses may add more)."""
        keep = select_levels(self.to_r(), self.levels, len(labels), labels)
        return tuple(values[keep].tolist()), tuple(labels[k] for k in keep)

    def bound(self) -> tuple:
        if self.resolved is None:
            raise TermError(
                f"term {self.to_r()} names its coefficients by the levels of {self.attr!r}; bind it to the panel "
                f"first (build_design does: Formula.for_panel(panel))"
            )
        return self.resolved

    @property
    def n_stats(self) -> int:
        return len(self.bound()[0])


def _indicator(a: np.ndarray, values: tuple) -> np.ndarray:
    """``(len(a), len(values))`` 0/1 matrix of ``a == v``; NaN rows stay NaN (missing-value policy sees them)."""
    out = (a[:, None] == np.asarray(values, dtype=np.float64)[None, :]).astype(np.float64)
    out[np.isnan(a)] = np.nan
    return out


@dataclass(frozen=True)
class NodeMatch(LevelTerm):
    """``nodematch(attr, diff = FALSE, keep = NULL, levels = NULL)``: both ends share a level.

    ``diff = FALSE``: one statistic, name ``nodematch.<attr>``; with ``levels``/``keep`` only
    matches on the selected levels count. ``diff = TRUE``: one statistic per selected level,
    names ``nodematch.<attr>.<level>``. ``keep`` (ergm's older form) picks level positions when
    ``levels`` is not given. Without ``levels``/``keep``/``diff`` no binding is needed.
    """

    attr: str
    diff: bool = False
    keep: tuple | None = None
    levels: tuple | None = None
    resolved: tuple | None = field(default=None, compare=False, repr=False)
    r_name = "nodematch"
    formals = (Formal("attr", A.name), Formal("diff", A.logical), Formal("keep", A.levels), Formal("levels", A.levels))

    def __post_init__(self) -> None:
        if self.keep is not None and any(isinstance(k, str) for k in self.keep):
            raise TermError(f"{self.to_r()}: keep takes level positions (numbers); use levels = for labels")

    @property
    def plain(self) -> bool:
        """Uniform homophily over all levels: no level information needed."""
        return not self.diff and self.keep is None and self.levels is None

    def resolve(self, values: np.ndarray, labels: tuple[str, ...], directed: bool) -> tuple:
        vals, labs = super().resolve(values, labels, directed)
        if self.levels is None and self.keep is not None:
            keep = select_levels(self.to_r(), self.keep, len(vals), labs)
            vals, labs = tuple(vals[k] for k in keep), tuple(labs[k] for k in keep)
        return vals, labs

    @property
    def n_stats(self) -> int:
        return len(self.bound()[0]) if self.diff else 1

    def coef_names(self, directed: bool) -> list[str]:
        if not self.diff:
            return [f"nodematch.{self.attr}"]
        return [f"nodematch.{self.attr}.{label}" for label in self.bound()[1]]

    def to_r(self) -> str:
        extra = ""
        if self.diff:
            extra += ", diff = TRUE"
        if self.keep is not None:
            extra += f", keep = {r_levels(self.keep)}"
        if self.levels is not None:
            extra += f", levels = {r_levels(self.levels)}"
        return f"nodematch({r_literal(self.attr)}{extra})"

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        a = step.node_attr(self.attr, self.to_r())
        missing = np.isnan(a[tail]) | np.isnan(a[head])
        if self.plain:
            match = (a[tail] == a[head]).astype(np.float64)
            # NaN == NaN is False; keep the change statistic NaN so the missing-value policy sees it.
            match[missing] = np.nan
            return match.reshape(-1, 1)
        by_level = _indicator(a[tail], self.bound()[0]) * (a[tail] == a[head])[:, None]
        out = by_level if self.diff else by_level.sum(axis=1, keepdims=True)
        out[missing] = np.nan
        return out


@dataclass(frozen=True)
class NodeFactor(LevelTerm):
    """``nodefactor(attr, levels = -1)``: per level, the number of tie ends at nodes of that level."""

    attr: str
    levels: tuple | None = BASE1
    resolved: tuple | None = field(default=None, compare=False, repr=False)
    r_name = "nodefactor"
    formals = (Formal("attr", A.name), Formal("base", A.number), Formal("levels", A.levels))
    refused: ClassVar[dict[str, str]] = {"base": "base= is ergm's deprecated form; use levels = -k"}
    prefix = "nodefactor"

    def coef_names(self, directed: bool) -> list[str]:
        return [f"{self.prefix}.{self.attr}.{label}" for label in self.bound()[1]]

    def to_r(self) -> str:
        extra = "" if self.levels == BASE1 else f", levels = {r_levels(self.levels) if self.levels else 'NULL'}"
        return f"{self.r_name}({r_literal(self.attr)}{extra})"

    def ends(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> list[np.ndarray]:
        a = step.node_attr(self.attr, self.to_r())
        return [a[tail], a[head]]

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        values = self.bound()[0]
        return sum(_indicator(end, values) for end in self.ends(step, tail, head))


@dataclass(frozen=True)
class NodeIFactor(NodeFactor):
    """``nodeifactor(attr, levels = -1)`` (directed): ties received by nodes of each level."""

    r_name = "nodeifactor"
    prefix = "nodeifactor"
    directed_only = True

    def ends(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> list[np.ndarray]:
        return [step.node_attr(self.attr, self.to_r())[head]]


@dataclass(frozen=True)
class NodeOFactor(NodeFactor):
    """``nodeofactor(attr, levels = -1)`` (directed): ties sent by nodes of each level."""

    r_name = "nodeofactor"
    prefix = "nodeofactor"
    directed_only = True

    def ends(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> list[np.ndarray]:
        return [step.node_attr(self.attr, self.to_r())[tail]]


@dataclass(frozen=True)
class NodeMix(LevelTerm):
    """``nodemix(attr, levels = NULL, levels2 = -1)``: ties per (tail level, head level) cell.

    Cells in ergm's order: ``expand.grid(row = u, col = u)`` (row fastest), undirected only
    ``row <= col``; ``levels2`` selects cells by position (default: drop the first). Names
    ``mix.<attr>.<row>.<col>``; on directed networks the row is the tail's level.
    """

    attr: str
    levels: tuple | None = None
    levels2: tuple | None = BASE1
    resolved: tuple | None = field(default=None, compare=False, repr=False)
    r_name = "nodemix"
    formals = (
        Formal("attr", A.name),
        Formal("base", A.number),
        Formal("b1levels", A.levels),
        Formal("b2levels", A.levels),
        Formal("levels", A.levels),
        Formal("levels2", A.levels),
    )
    refused: ClassVar[dict[str, str]] = {
        "base": "base= is ergm's deprecated form; use levels2 = -k",
        "b1levels": "bipartite networks are not supported",
        "b2levels": "bipartite networks are not supported",
    }

    def resolve(self, values: np.ndarray, labels: tuple[str, ...], directed: bool) -> tuple:
        """``(values, labels, cells)``: the selected levels and the selected (row, col) cells."""
        vals, labs = super().resolve(values, labels, directed)
        n = len(vals)
        grid = [(r, c) for c in range(n) for r in range(n) if directed or r <= c]
        if self.levels2 is not None and any(isinstance(v, str) for v in self.levels2):
            raise TermError(f"{self.to_r()}: grouping cells with character levels2 is not supported")
        keep = select_levels(self.to_r(), self.levels2, len(grid), tuple(f"{r}.{c}" for r, c in grid))
        return vals, labs, tuple(grid[k] for k in keep), directed

    @property
    def n_stats(self) -> int:
        return len(self.bound()[2])

    def check_directedness(self, directed: bool) -> None:
        if self.resolved is not None and self.resolved[3] != directed:
            raise TermError(
                f"term {self.to_r()} was bound for a {'directed' if self.resolved[3] else 'undirected'} network"
            )

    def coef_names(self, directed: bool) -> list[str]:
        labels = self.bound()[1]
        return [f"mix.{self.attr}.{labels[r]}.{labels[c]}" for r, c in self.bound()[2]]

    def to_r(self) -> str:
        extra = ""
        if self.levels is not None:
            extra += f", levels = {r_levels(self.levels)}"
        if self.levels2 != BASE1:
            extra += f", levels2 = {r_levels(self.levels2) if self.levels2 else 'NULL'}"
        return f"nodemix({r_literal(self.attr)}{extra})"

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        vals = np.asarray(self.bound()[0], dtype=np.float64)
        a = step.node_attr(self.attr, self.to_r())
        cells = self.bound()[2]
        # position of each end's value among the selected levels (-1: not selected)
        pos_t = np.array([np.flatnonzero(vals == v)[0] if np.any(vals == v) else -1 for v in a[tail]], dtype=int)
        pos_h = np.array([np.flatnonzero(vals == v)[0] if np.any(vals == v) else -1 for v in a[head]], dtype=int)
        if not step.directed:
            pos_t, pos_h = np.minimum(pos_t, pos_h), np.maximum(pos_t, pos_h)
        out = np.zeros((len(tail), len(cells)))
        for k, (r, c) in enumerate(cells):
            out[:, k] = (pos_t == r) & (pos_h == c) & (pos_t >= 0)
        out[np.isnan(a[tail]) | np.isnan(a[head])] = np.nan
        return out


@dataclass(frozen=True)
class AbsDiffCat(LevelTerm):
    """``absdiffcat(attr, levels = NULL)``: one indicator per distinct nonzero ``|a_i - a_j|``.

    The differences are those between the attribute's distinct values over the panel, sorted;
    names ``absdiff.<attr>.<difference>``.
    """

    attr: str
    levels: tuple | None = None
    resolved: tuple | None = field(default=None, compare=False, repr=False)
    r_name = "absdiffcat"
    formals = (Formal("attr", A.name), Formal("base", A.number), Formal("levels", A.levels))
    refused: ClassVar[dict[str, str]] = {"base": "base= is ergm's deprecated form; use levels = -k"}

    def resolve(self, values: np.ndarray, labels: tuple[str, ...], directed: bool) -> tuple:
        diffs = np.unique(np.abs(values[:, None] - values[None, :]))
        diffs = diffs[diffs > 0]
        names = tuple(r_number(d) for d in diffs)
        keep = select_levels(self.to_r(), self.levels, len(diffs), names)
        return tuple(diffs[keep].tolist()), tuple(names[k] for k in keep)

    def coef_names(self, directed: bool) -> list[str]:
        return [f"absdiff.{self.attr}.{label}" for label in self.bound()[1]]

    def to_r(self) -> str:
        extra = "" if self.levels is None else f", levels = {r_levels(self.levels)}"
        return f"absdiffcat({r_literal(self.attr)}{extra})"

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        a = step.node_attr(self.attr, self.to_r())
        return _indicator(np.abs(a[tail] - a[head]), self.bound()[0])
