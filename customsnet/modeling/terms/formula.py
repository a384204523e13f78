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

import numpy as np

from customsnet.modeling.terms import (
    DSP,
    ESP,
    GWDSP,
    GWESP,
    GWNSP,
    NSP,
    REGISTRY,
    DelRecip,
    Memory,
    Offset,
    StepInputs,
    Term,
    TermError,
    TimeCov,
)
from customsnet.modeling.terms import rsyntax as rs


class FormulaError(ValueError):
    """A formula cannot be read or describes an unsupported model."""


#: coefficient-name conventions: ergm 4.4 (default; directed ``gwesp`` is ``gwesp.fixed.0.5``) or
#: ergm 4.5 and later (``gwesp.OTP.fixed.0.5``); they differ only for directed shared-partner terms
NAMINGS = ("ergm4.4", "ergm4.5")
DEFAULT_NAMING = "ergm4.4"


def _with_naming(term: Term, naming: str) -> Term:
    """The term as the naming convention writes it: ergm 4.5 names spell out the default type.

    Writing ``type = "OTP"`` into the term (rather than remembering the convention beside it)
    keeps the names when the formula's R text is parsed again (fits, GOF and prediction re-read it).
    """
    if isinstance(term, Offset):
        return dataclasses.replace(term, term=_with_naming(term.term, naming))
    plain = isinstance(term, (GWESP, GWDSP, GWNSP, ESP, DSP, NSP)) and not getattr(term, "always_typed", False)
    if naming == "ergm4.5" and plain and term.type is None:
        return dataclasses.replace(term, type="OTP")
    return term


@dataclass(frozen=True)
class Formula:
    """A response network name and an ordered list of terms.

    ``naming`` picks the coefficient-name convention (:data:`NAMINGS`): ``"ergm4.4"`` (default)
    prints directed ``gwesp(0.5, fixed = TRUE)`` as ``gwesp.fixed.0.5``, ``"ergm4.5"`` as
    ``gwesp.OTP.fixed.0.5`` (likewise gwdsp, gwnsp, esp, dsp, nsp; ``dgw*`` terms and terms with an
    explicit ``type =`` always carry the type). Undirected names are the same in both.
    """

    lhs: str
    terms: tuple[Term, ...]
    naming: str = DEFAULT_NAMING

    def __post_init__(self) -> None:
        if self.naming not in NAMINGS:
            raise FormulaError(f"naming must be one of {', '.join(NAMINGS)}, got {self.naming!r}")
        terms = tuple(self.terms)
        if not terms:
            raise FormulaError(f"formula for {self.lhs!r} has no terms")
        for term in terms:
            if not isinstance(term, Term):
                raise FormulaError(f"{term!r} is not a term (use e.g. Edges(), GWESP(0.5), EdgeCov('mlat'))")
        terms = tuple(_with_naming(t, self.naming) for t in terms)
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

    def for_panel(self, panel) -> Formula:
        """The formula with its level-named terms bound to the attribute levels over all panel years."""
        levels = {name: panel.attribute_levels(name) for name in self.node_attributes if name in panel.node_attrs}
        return dataclasses.replace(self, terms=tuple(t.with_levels(levels, panel.directed) for t in self.terms))

    def coef_names(self, directed: bool) -> list[str]:
        """btergm's coefficient names, in formula order; duplicates are an error."""
        names: list[str] = []
        for term in self.terms:
            try:
                term.check_directedness(directed)
                names.extend(term.coef_names(directed))
            except TermError as exc:
                raise FormulaError(str(exc)) from None
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


def parse_term(node: rs.Node) -> Term:
    """One right-hand-side element (``edges``, ``gwesp(0.5, fixed = TRUE)``, ...) as a :class:`Term`."""
    if isinstance(node, rs.Name):
        node = rs.Call(node.id, ())
    if not isinstance(node, rs.Call):
        raise FormulaError(f"{rs.deparse(node)!r} is not a model term")
    cls = REGISTRY.get(node.func)
    if cls is None:
        raise FormulaError(f"unknown or unsupported term {node.func!r} (supported: {', '.join(sorted(REGISTRY))})")
    try:
        return cls.from_call(rs.deparse(node), node.args)
    except TermError as exc:
        raise FormulaError(str(exc)) from None


def _split_plus(node: rs.Node) -> list[rs.Node]:
    if isinstance(node, rs.BinOp) and node.op == "+":
        return _split_plus(node.left) + _split_plus(node.right)
    if isinstance(node, rs.BinOp) and node.op == "-":
        raise FormulaError(f"terms cannot be removed with '-' (in {rs.deparse(node)!r})")
    return [node]


def parse_formula(text: str, naming: str = DEFAULT_NAMING) -> Formula:
    """Parse a btergm formula such as ``"cmaa ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(mlat)"``.

    ``naming`` is the coefficient-name convention (:data:`NAMINGS`, see :class:`Formula`).
    """
    try:
        tree = rs.parse(text)
    except rs.RSyntaxError as exc:
        raise FormulaError(f"cannot read formula: {exc}") from None
    if not (isinstance(tree, rs.BinOp) and tree.op == "~"):
        raise FormulaError(f"a formula needs 'network ~ terms', got {text!r}")
    if not isinstance(tree.left, rs.Name):
        raise FormulaError(f"the left-hand side must be a network name, got {rs.deparse(tree.left)!r}")
    return Formula(tree.left.id, tuple(parse_term(node) for node in _split_plus(tree.right)), naming=naming)


def as_formula(formula: Formula | str, naming: str | None = None) -> Formula:
    """Accept a :class:`Formula` or its R string; ``naming`` (if given) re-applies a naming convention."""
    if isinstance(formula, Formula):
        return formula if naming is None else dataclasses.replace(formula, naming=naming)
    return parse_formula(formula, naming=naming or DEFAULT_NAMING)
