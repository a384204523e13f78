"""btergm formulas: parse the R syntax researchers paste, or build the same model in Python.

    >>> f = parse_formula("cmaa ~ edges + gwesp(0.5, fixed = TRUE) + memory(type = 'stability')")
    >>> f.coef_names(directed=False)
    ['edges', 'gwesp.fixed.0.5', 'edgecov.memory[[i]]']
    >>> str(f)
    'cmaa ~ edges + gwesp(0.5, fixed = TRUE) + memory(type = "stability")'

The same model in Python: ``Formula("cmaa", [Edges(), GWESP(0.5), Memory("stability")])``.
Covariate names (``edgecov(mlat)``, ``absdiff("polyarchy")``, ``timecov(x = trade)``) are
only names here; the design builder resolves them from the :class:`Panel`, never from any
surrounding environment.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from customsnet.modeling import rsyntax as rs
from customsnet.modeling.terms import (
    GWESP,
    AbsDiff,
    DelRecip,
    DyadCov,
    EdgeCov,
    Edges,
    GWDegree,
    GWIDegree,
    GWODegree,
    Memory,
    Mutual,
    NodeCov,
    NodeICov,
    NodeMatch,
    NodeOCov,
    StepInputs,
    Term,
    TermError,
    TimeCov,
)


class FormulaError(ValueError):
    """A formula cannot be read or describes an unsupported model."""


@dataclass(frozen=True)
class Formula:
    """A response network name and an ordered list of terms."""

    lhs: str
    terms: tuple[Term, ...]

    def __post_init__(self) -> None:
        terms = tuple(self.terms)
        if not terms:
            raise FormulaError(f"formula for {self.lhs!r} has no terms")
        for term in terms:
            if not isinstance(term, Term):
                raise FormulaError(f"{term!r} is not a term (use e.g. Edges(), GWESP(0.5), EdgeCov('mlat'))")
        # btergm numbers timecov terms in formula order: timecov1, timecov2, ...
        numbered: list[Term] = []
        k = 0
        for term in terms:
            if isinstance(term, TimeCov):
                k += 1
                term = dataclasses.replace(term, ordinal=k)
            numbered.append(term)
        if sum(isinstance(t, Memory) for t in numbered) > 1:
            raise FormulaError(
                "btergm stores every memory() term under the same name, so only one memory term is allowed"
            )
        if sum(isinstance(t, DelRecip) for t in numbered) > 1:
            raise FormulaError("btergm stores every delrecip() term under the same name, so only one is allowed")
        object.__setattr__(self, "terms", tuple(numbered))

    def __str__(self) -> str:
        return f"{self.lhs} ~ " + " + ".join(t.to_r() for t in self.terms)

    def coef_names(self, directed: bool) -> list[str]:
        """btergm's coefficient names, in formula order; duplicates are an error."""
        names: list[str] = []
        for term in self.terms:
            term.check_directedness(directed)
            names.extend(term.coef_names(directed))
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise FormulaError(f"formula {self} gives duplicate coefficients {dupes}; remove the repeated term")
        return names

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """All terms' change statistics for the dyads ``(tail, head)``, columns in coefficient order."""
        return np.hstack([term.change_stats(step, tail, head) for term in self.terms])

    def statistics(self, step: StepInputs) -> np.ndarray:
        """The network statistics ``g(Y)`` of ``step.network``, in coefficient order."""
        return np.concatenate([term.statistic(step) for term in self.terms])

    @property
    def max_lag(self) -> int:
        """The largest lag any temporal term reads (0 without temporal terms): btergm trims that many years."""
        return max((lag for t in self.terms for lag in t.lags()), default=0)

    @property
    def lags(self) -> tuple[int, ...]:
        return tuple(sorted({lag for t in self.terms for lag in t.lags()}))

    @property
    def dyad_covariates(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for t in self.terms for c in t.dyad_covariates()))

    @property
    def node_attributes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a for t in self.terms for a in t.node_attributes()))


# ------------------------------------------------------------------------------ argument values
def _number(term: str, arg: str, node: rs.Node) -> float:
    if isinstance(node, rs.Num):
        return node.value
    if isinstance(node, rs.UnaryOp) and isinstance(node.operand, rs.Num):
        return -node.operand.value if node.op == "-" else node.operand.value
    raise FormulaError(f"{term}: argument {arg} must be a number, got {rs.deparse(node)}")


def _logical(term: str, arg: str, node: rs.Node) -> bool:
    if isinstance(node, rs.Const) and node.value is not None:
        return bool(node.value)
    raise FormulaError(f"{term}: argument {arg} must be TRUE or FALSE, got {rs.deparse(node)}")


def _text(term: str, arg: str, node: rs.Node) -> str:
    if isinstance(node, rs.Str):
        return node.value
    raise FormulaError(f"{term}: argument {arg} must be a quoted string, got {rs.deparse(node)}")


def _name(term: str, arg: str, node: rs.Node) -> str:
    """A covariate or attribute name, written bare (``mlat``) or quoted (``"mlat"``)."""
    if isinstance(node, (rs.Name, rs.Str)):
        value = node.id if isinstance(node, rs.Name) else node.value
        if "[" in value or value == "i":
            raise FormulaError(f"{term}: covariate name {value!r} may not contain '[' or be 'i' (btergm reserves them)")
        return value
    raise FormulaError(f"{term}: argument {arg} must be a covariate name, got {rs.deparse(node)}")


def _optional_name(term: str, arg: str, node: rs.Node) -> str | None:
    if isinstance(node, rs.Const) and node.value is None:
        return None
    return _name(term, arg, node)


def _optional_number(term: str, arg: str, node: rs.Node) -> float | None:
    if isinstance(node, rs.Const) and node.value is None:
        return None
    return _number(term, arg, node)


def _function(term: str, arg: str, node: rs.Node) -> str:
    if isinstance(node, (rs.Function, rs.Name)):
        return rs.deparse(node)
    raise FormulaError(f"{term}: argument {arg} must be a function such as function(t) t^2, got {rs.deparse(node)}")


Reader = Callable[[str, str, rs.Node], Any]


@dataclass(frozen=True)
class _Spec:
    """How to read one R term: its formal arguments (in R's order), readers and defaults."""

    build: Callable[..., Term]
    formals: tuple[tuple[str, Reader], ...]
    defaults: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: arguments ergm accepts but customsnet refuses, with the reason
    refused: dict[str, str] = dataclasses.field(default_factory=dict)


def _gw_formals(extra: Sequence[tuple[str, Reader]] = ()) -> tuple[tuple[str, Reader], ...]:
    return (("decay", _number), ("fixed", _logical), *extra)


_GW_REFUSED = {
    "attr": "attribute-specific gw terms are not supported",
    "cutoff": "cutoff only matters for curved terms (fixed = FALSE), which are not supported",
    "levels": "attribute-specific gw terms are not supported",
}

#: ergm's default is fixed = FALSE, so a gw term without fixed = TRUE is curved and refused
_GW_DEFAULTS = {"fixed": False}

TERM_SPECS: dict[str, _Spec] = {
    "edges": _Spec(Edges, ()),
    "edgecov": _Spec(EdgeCov, (("x", _name),), refused={"attrname": "edge-attribute covariates are not supported"}),
    "dyadcov": _Spec(DyadCov, (("x", _name),), refused={"attrname": "edge-attribute covariates are not supported"}),
    "nodecov": _Spec(NodeCov, (("attr", _name),)),
    "absdiff": _Spec(AbsDiff, (("attr", _name), ("pow", _number))),
    "nodeicov": _Spec(NodeICov, (("attr", _name),)),
    "nodeocov": _Spec(NodeOCov, (("attr", _name),)),
    "nodematch": _Spec(
        NodeMatch,
        (("attr", _name),),
        refused={"diff": "only nodematch(attr) with diff = FALSE is supported", "keep": "keep is not supported",
                 "levels": "levels is not supported"},
    ),
    "gwesp": _Spec(GWESP, _gw_formals((("cutoff", _number), ("type", _text))), _GW_DEFAULTS,
                   {"cutoff": _GW_REFUSED["cutoff"]}),
    "gwdegree": _Spec(GWDegree, _gw_formals(), _GW_DEFAULTS, _GW_REFUSED),
    "gwidegree": _Spec(GWIDegree, _gw_formals(), _GW_DEFAULTS, _GW_REFUSED),
    "gwodegree": _Spec(GWODegree, _gw_formals(), _GW_DEFAULTS, _GW_REFUSED),
    "mutual": _Spec(Mutual, (), refused={"same": "mutual(same=) is not supported", "by": "mutual(by=) is not supported",
                                         "diff": "mutual(diff=) is not supported", "keep": "mutual(keep=) is not supported"}),
    "memory": _Spec(Memory, (("type", _text), ("lag", _number))),
    "delrecip": _Spec(DelRecip, (("mutuality", _logical), ("lag", _number))),
    "timecov": _Spec(
        TimeCov,
        (("x", _optional_name), ("minimum", _number), ("maximum", _optional_number), ("transform", _function)),
    ),
}


def _match_arguments(term: str, spec: _Spec, args: Iterable[rs.Arg]) -> dict[str, Any]:
    """R-style matching: named arguments by exact name, then positional ones in formal order."""
    formals = dict(spec.formals)
    values: dict[str, rs.Node] = {}
    positional: list[rs.Node] = []
    for arg in args:
        if arg.name is None:
            positional.append(arg.value)
        elif arg.name in spec.refused:
            raise FormulaError(f"{term}: {spec.refused[arg.name]}")
        elif arg.name not in formals:
            raise FormulaError(f"{term}: unknown argument {arg.name!r} (accepted: {list(formals) or 'none'})")
        elif arg.name in values:
            raise FormulaError(f"{term}: argument {arg.name!r} given twice")
        else:
            values[arg.name] = arg.value
    free = [name for name in formals if name not in values]
    if len(positional) > len(free):
        raise FormulaError(f"{term}: too many arguments (accepted: {list(formals) or 'none'})")
    values.update(zip(free, positional))
    for name in values:
        if name in spec.refused:
            raise FormulaError(f"{term}: {spec.refused[name]}")
    kwargs = dict(spec.defaults)
    kwargs.update({name: formals[name](term, name, node) for name, node in values.items()})
    return kwargs


def parse_term(node: rs.Node) -> Term:
    """One right-hand-side element (``edges``, ``gwesp(0.5, fixed = TRUE)``, ...) as a :class:`Term`."""
    if isinstance(node, rs.Name):
        node = rs.Call(node.id, ())
    if not isinstance(node, rs.Call):
        raise FormulaError(f"{rs.deparse(node)!r} is not a model term")
    spec = TERM_SPECS.get(node.func)
    if spec is None:
        raise FormulaError(f"unknown or unsupported term {node.func!r} (supported: {', '.join(sorted(TERM_SPECS))})")
    kwargs = _match_arguments(rs.deparse(node), spec, node.args)
    try:
        return spec.build(**kwargs)
    except TermError as exc:
        raise FormulaError(str(exc)) from None
    except TypeError as exc:
        raise FormulaError(f"{rs.deparse(node)}: {exc}") from None


def _split_plus(node: rs.Node) -> list[rs.Node]:
    if isinstance(node, rs.BinOp) and node.op == "+":
        return _split_plus(node.left) + _split_plus(node.right)
    if isinstance(node, rs.BinOp) and node.op == "-":
        raise FormulaError(f"terms cannot be removed with '-' (in {rs.deparse(node)!r})")
    return [node]


def parse_formula(text: str) -> Formula:
    """Parse a btergm formula such as ``"cmaa ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(mlat)"``."""
    try:
        tree = rs.parse(text)
    except rs.RSyntaxError as exc:
        raise FormulaError(f"cannot read formula: {exc}") from None
    if not (isinstance(tree, rs.BinOp) and tree.op == "~"):
        raise FormulaError(f"a formula needs 'network ~ terms', got {text!r}")
    if not isinstance(tree.left, rs.Name):
        raise FormulaError(f"the left-hand side must be a network name, got {rs.deparse(tree.left)!r}")
    return Formula(tree.left.id, tuple(parse_term(node) for node in _split_plus(tree.right)))


def as_formula(formula: "Formula | str") -> Formula:
    """Accept a :class:`Formula` or its R string."""
    return formula if isinstance(formula, Formula) else parse_formula(formula)
