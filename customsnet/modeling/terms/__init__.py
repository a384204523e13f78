"""TERGM terms, one module per family (see :mod:`.base` for the contract every term follows).

Importing this package imports every family module, which registers its terms in
:data:`REGISTRY` (R name -> class). A new family module must be imported here.
"""

from customsnet.modeling.terms.base import REGISTRY, StepInputs, Term, TermError, all_dyads, r_number
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
    "REGISTRY",
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
