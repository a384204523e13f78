"""``offset(term)``: a term whose coefficient is fixed, not estimated (ergm's offset terms).

ergm marks a term in ``offset(...)`` as an offset: its statistics are computed as usual, but its
coefficient is given (``ergm(..., offset.coef = c(...))``; here ``offset_coef=[...]`` at fit time,
``--offset-coef`` on the command line) and enters the linear predictor as a fixed offset. ``-Inf``
makes every dyad whose change statistic is non-zero a structural zero (its tie probability is 0):
those dyads leave the pseudolikelihood. The coefficient is named ``offset(<inner name>)``, as ergm
prints it: ``offset(edgecov(x))`` in a btergm formula is ``offset(edgecov.x[[i]])``.

The term is a wrapper: change statistics, statistic, sampler function and everything the design
builder needs come from the inner term, so any registered term can be an offset.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from customsnet.modeling.terms import rsyntax as rs
from customsnet.modeling.terms.arguments import ArgumentError, Formal
from customsnet.modeling.terms.base import REGISTRY, StepInputs, Term, TermError

#: the prefix of every offset coefficient name
OFFSET_PREFIX = "offset("


def is_offset_name(name: str) -> bool:
    """Whether a coefficient name is an offset's (``offset(edgecov.x[[i]])``)."""
    return name.startswith(OFFSET_PREFIX) and name.endswith(")")


def fixed_product(X: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``X @ coef`` where an infinite (offset) coefficient times a zero change statistic counts 0.

    ``-inf`` times a positive statistic is ``-inf`` (a structural zero); IEEE would give NaN for
    ``0 * inf``, which would poison every dyad the offset does not touch.
    """
    coef = np.asarray(coef, dtype=np.float64)
    infinite = np.isinf(coef)
    if not infinite.any():
        return X @ coef
    out = X[:, ~infinite] @ coef[~infinite]
    for k in np.flatnonzero(infinite):
        x = X[:, k]
        out = out + np.where(x > 0, coef[k], np.where(x < 0, -coef[k], 0.0))
    return out


def _inner_term(term: str, arg: str, node: rs.Node) -> Term:
    """The wrapped term of ``offset(<term>)``, read like any formula term."""
    if isinstance(node, rs.Name):
        node = rs.Call(node.id, ())
    if not isinstance(node, rs.Call):
        raise ArgumentError(f"{term}: the argument of offset() must be a model term, got {rs.deparse(node)}")
    cls = REGISTRY.get(node.func)
    if cls is None:
        raise ArgumentError(f"{term}: unknown or unsupported term {node.func!r} inside offset()")
    if cls is Offset:
        raise ArgumentError(f"{term}: offset() cannot be nested")
    try:
        return cls.from_call(rs.deparse(node), node.args)
    except TermError as exc:
        raise ArgumentError(str(exc)) from None


@dataclass(frozen=True)
class Offset(Term):
    """``offset(term)``: ``term`` with a fixed coefficient (given at fit time, see the module doc)."""

    term: Term
    r_name = "offset"
    formals = (Formal("term", _inner_term),)

    def __post_init__(self) -> None:
        if not isinstance(self.term, Term) or isinstance(self.term, Offset):
            raise TermError(f"offset() wraps one model term, got {self.term!r}")

    # the inner term decides everything but the name
    @property
    def dependent(self) -> bool:  # type: ignore[override]
        return self.term.dependent

    def coef_names(self, directed: bool) -> list[str]:
        return [f"{OFFSET_PREFIX}{name})" for name in self.term.coef_names(directed)]

    def to_r(self) -> str:
        return f"offset({self.term.to_r()})"

    def check_directedness(self, directed: bool) -> None:
        self.term.check_directedness(directed)

    def lags(self) -> tuple[int, ...]:
        return self.term.lags()

    def dyad_covariates(self) -> tuple[str, ...]:
        return self.term.dyad_covariates()

    def node_attributes(self) -> tuple[str, ...]:
        return self.term.node_attributes()

    @property
    def n_stats(self) -> int:
        return self.term.n_stats

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        return self.term.change_stats(step, tail, head)

    def statistic(self, step: StepInputs) -> np.ndarray:
        return self.term.statistic(step)

    def with_levels(self, levels: dict, directed: bool) -> Term:
        return dataclasses.replace(self, term=self.term.with_levels(levels, directed))

    def sampler_change(self, step: StepInputs):
        return self.term.sampler_change(step)

    def fast_sampler_fields(self, coef: np.ndarray) -> dict[str, float] | None:
        return None  # the generic sampler handles it (with the fixed coefficient)

    def counterfactual_change(self, structure: str, k: int) -> float | None:
        return self.term.counterfactual_change(structure, k)
