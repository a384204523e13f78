"""TERGM terms, one module per family (see :mod:`.base` for the contract every term follows).

Importing this package imports every family module, which registers its terms in
:data:`REGISTRY` (R name -> class). A new family module must be imported here.
"""

from customsnet.modeling.terms.base import (
    REGISTRY,
    StepInputs,
    Term,
    TermError,
    all_dyads,
    r_number,
)
from customsnet.modeling.terms.categorical import (
    AbsDiffCat,
    NodeFactor,
    NodeIFactor,
    NodeMatch,
    NodeMix,
    NodeOFactor,
)
from customsnet.modeling.terms.degree import (
    Concurrent,
    Degree,
    IDegree,
    Isolates,
    IStar,
    KStar,
    ODegree,
    OStar,
)
from customsnet.modeling.terms.directed import Mutual
from customsnet.modeling.terms.dyad_independent import (
    AbsDiff,
    DyadCov,
    EdgeCov,
    Edges,
    NodeCov,
    NodeICov,
    NodeOCov,
)
from customsnet.modeling.terms.gw import GWESP, GWDegree, GWIDegree, GWODegree
from customsnet.modeling.terms.offset import Offset
from customsnet.modeling.terms.shared_partners import (
    DGWDSP,
    DGWESP,
    DGWNSP,
    DSP,
    ESP,
    GWDSP,
    GWNSP,
    NSP,
)
from customsnet.modeling.terms.temporal import DelRecip, Memory, TimeCov
from customsnet.modeling.terms.triads import (
    CTriple,
    CyclicalTies,
    TransitiveTies,
    Triangle,
    TTriple,
    TwoPath,
)

__all__ = [
    "DGWDSP",
    "DGWESP",
    "DGWNSP",
    "DSP",
    "ESP",
    "GWDSP",
    "GWESP",
    "GWNSP",
    "NSP",
    "REGISTRY",
    "AbsDiff",
    "AbsDiffCat",
    "CTriple",
    "Concurrent",
    "CyclicalTies",
    "Degree",
    "DelRecip",
    "DyadCov",
    "EdgeCov",
    "Edges",
    "GWDegree",
    "GWIDegree",
    "GWODegree",
    "IDegree",
    "IStar",
    "Isolates",
    "KStar",
    "Memory",
    "Mutual",
    "NodeCov",
    "NodeFactor",
    "NodeICov",
    "NodeIFactor",
    "NodeMatch",
    "NodeMix",
    "NodeOCov",
    "NodeOFactor",
    "ODegree",
    "OStar",
    "Offset",
    "StepInputs",
    "TTriple",
    "Term",
    "TermError",
    "TimeCov",
    "TransitiveTies",
    "Triangle",
    "TwoPath",
    "all_dyads",
    "r_number",
]
