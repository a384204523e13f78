"""TERGM terms, one module per family (see :mod:`.base` for the contract every term follows)."""

from customsnet.modeling.terms.base import StepInputs, Term, TermError, all_dyads, r_number
from customsnet.modeling.terms.directed import Mutual
from customsnet.modeling.terms.dyad_independent import (
    AbsDiff,
    DyadCov,
    EdgeCov,
    Edges,
    NodeCov,
    NodeICov,
    NodeMatch,
    NodeOCov,
)
from customsnet.modeling.terms.gw import GWESP, GWDegree, GWIDegree, GWODegree
from customsnet.modeling.terms.temporal import DelRecip, Memory, TimeCov

__all__ = [
    "AbsDiff",
    "DelRecip",
    "DyadCov",
    "EdgeCov",
    "Edges",
    "GWDegree",
    "GWESP",
    "GWIDegree",
    "GWODegree",
    "Memory",
    "Mutual",
    "NodeCov",
    "NodeICov",
    "NodeMatch",
    "NodeOCov",
    "StepInputs",
    "Term",
    "TermError",
    "TimeCov",
    "all_dyads",
    "r_number",
]
