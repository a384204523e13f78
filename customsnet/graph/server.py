"""Compatibility name for :mod:`customsnet.graph.runtime` (the runtime used to live in this one module).

New code imports from ``customsnet.graph.runtime``; this re-export keeps ``from customsnet.graph
import server`` working for callers that have not moved yet.
"""

from customsnet.graph.runtime import *  # a deliberate re-export
from customsnet.graph.runtime import __all__  # noqa: F401
