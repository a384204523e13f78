"""Dyad-independent terms: edges, edgecov, dyadcov, nodecov, absdiff, nodeicov, nodeocov.

(The level-indexed ones, nodematch, nodefactor, nodemix, absdiffcat, live in :mod:`.categorical`.)

Their change statistic does not depend on the rest of the network, so the statistic of a
network is the sum of the change statistics over its ties (ergm's ``c_edges``, ``c_edgecov``,
``c_nodecov``, ``c_absdiff`` ...). Undirected covariates are read at ``(tail, head)`` with
``tail < head``: ergm's upper-triangle rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from customsnet.modeling.terms import arguments as A
from customsnet.modeling.terms.arguments import Formal
from customsnet.modeling.terms.base import (
    StepInputs,
    Term,
    TermError,
    column,
    edge_list,
    r_literal,
    r_number,
)

_EDGE_ATTRIBUTE = {"attrname": "edge-attribute covariates are not supported"}


class DyadIndependent(Term):
    """Mixin: ``g(Y)`` is the sum of the (network-free) change statistics over the ties."""

    dependent = False

    def statistic(self, step: StepInputs) -> np.ndarray:
        tail, head = edge_list(step.network, step.directed)
        return self.change_stats(step, tail, head).sum(axis=0)


@dataclass(frozen=True)
class Edges(DyadIndependent):
    """``edges``: the number of ties (the intercept of the logit)."""

    r_name = "edges"

    def coef_names(self, directed: bool) -> list[str]:
        return ["edges"]

    def to_r(self) -> str:
        return "edges"

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        return np.ones((len(tail), 1))


@dataclass(frozen=True)
class EdgeCov(DyadIndependent):
    """``edgecov(x)``: the dyadic covariate ``x`` (a per-year panel covariate or network)."""

    x: str
    r_name = "edgecov"
    formals = (Formal("x", A.name),)
    refused = _EDGE_ATTRIBUTE

    def coef_names(self, directed: bool) -> list[str]:
        # btergm turns every per-year covariate into a list indexed by the step.
        return [f"edgecov.{self.x}[[i]]"]

    def to_r(self) -> str:
        return f"edgecov({self.x})"

    def dyad_covariates(self) -> tuple[str, ...]:
        return (self.x,)

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        return column(step.dyad_cov(self.x, self.to_r())[tail, head])


@dataclass(frozen=True)
class DyadCov(EdgeCov):
    """``dyadcov(x)``: on undirected networks the same statistic as ``edgecov(x)``.

    On directed networks ergm splits it into mutual/upper/lower-triangle statistics whose
    value depends on the order ties were added when ``x`` is asymmetric; that variant is
    not supported.
    """

    r_name = "dyadcov"
    undirected_only = True
    formals = (Formal("x", A.name),)
    refused = _EDGE_ATTRIBUTE

    def coef_names(self, directed: bool) -> list[str]:
        return [f"dyadcov.{self.x}[[i]]"]

    def to_r(self) -> str:
        return f"dyadcov({self.x})"

    def check_directedness(self, directed: bool) -> None:
        if directed:
            raise TermError(
                f"term {self.to_r()}: directed dyadcov (mutual/utri/ltri split) is not supported; "
                f"use edgecov({self.x}) on directed networks"
            )


@dataclass(frozen=True)
class NodeCov(DyadIndependent):
    """``nodecov("a")``: ``a_i + a_j`` (main effect of a numeric node attribute)."""

    attr: str
    r_name = "nodecov"
    formals = (Formal("attr", A.name),)

    def coef_names(self, directed: bool) -> list[str]:
        return [f"nodecov.{self.attr}"]

    def to_r(self) -> str:
        return f"nodecov({r_literal(self.attr)})"

    def node_attributes(self) -> tuple[str, ...]:
        return (self.attr,)

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        a = step.node_attr(self.attr, self.to_r())
        return column(a[tail] + a[head])


@dataclass(frozen=True)
class AbsDiff(DyadIndependent):
    """``absdiff("a", pow = p)``: ``|a_i - a_j|^p`` (heterophily on a numeric attribute)."""

    attr: str
    pow: float = 1.0
    r_name = "absdiff"
    formals = (Formal("attr", A.name), Formal("pow", A.number))

    def coef_names(self, directed: bool) -> list[str]:
        power = "" if self.pow == 1 else r_number(self.pow)
        return [f"absdiff{power}.{self.attr}"]

    def to_r(self) -> str:
        extra = "" if self.pow == 1 else f", pow = {r_number(self.pow)}"
        return f"absdiff({r_literal(self.attr)}{extra})"

    def node_attributes(self) -> tuple[str, ...]:
        return (self.attr,)

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        a = step.node_attr(self.attr, self.to_r())
        diff = np.abs(a[tail] - a[head])
        # ergm uses fabs directly for pow = 1, pow() otherwise.
        return column(diff if self.pow == 1 else np.power(diff, self.pow))


@dataclass(frozen=True)
class NodeICov(DyadIndependent):
    """``nodeicov("a")`` (directed): the receiver's attribute ``a_j``."""

    attr: str
    r_name = "nodeicov"
    directed_only = True
    formals = (Formal("attr", A.name),)

    def coef_names(self, directed: bool) -> list[str]:
        return [f"nodeicov.{self.attr}"]

    def to_r(self) -> str:
        return f"nodeicov({r_literal(self.attr)})"

    def node_attributes(self) -> tuple[str, ...]:
        return (self.attr,)

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        return column(step.node_attr(self.attr, self.to_r())[head])


@dataclass(frozen=True)
class NodeOCov(DyadIndependent):
    """``nodeocov("a")`` (directed): the sender's attribute ``a_i``."""

    attr: str
    r_name = "nodeocov"
    directed_only = True
    formals = (Formal("attr", A.name),)

    def coef_names(self, directed: bool) -> list[str]:
        return [f"nodeocov.{self.attr}"]

    def to_r(self) -> str:
        return f"nodeocov({r_literal(self.attr)})"

    def node_attributes(self) -> tuple[str, ...]:
        return (self.attr,)

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        return column(step.node_attr(self.attr, self.to_r())[tail])
