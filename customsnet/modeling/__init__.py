"""Temporal ERGMs on a :class:`Panel`: terms, MPLE design, estimation, results, evaluation.

The public face, so users write ``from customsnet.modeling import TERGM, Panel``::

    model = TERGM("nets ~ edges + gwesp(0.5, fixed = TRUE) + memory()", estimator="mple", R=100, seed=1)
    result = model.fit(panel)       # FitResult: params, bse, conf_int(), summary(), tidy()

The names load on first use (PEP 562), so importing one stage does not import every other.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> module that defines it
_EXPORTS = {
    "TERGM": "customsnet.modeling.estimation.model",
    "Panel": "customsnet.modeling.panel.panel",
    "PanelError": "customsnet.modeling.panel.panel",
    "FitResult": "customsnet.modeling.results",
    "parse_formula": "customsnet.modeling.terms.formula",
    "build_design": "customsnet.modeling.design.build",
    "fit_tergm": "customsnet.modeling.estimation.fit",
    "fit_mcmle": "customsnet.modeling.estimation.mcmle",
    "MCMLEControl": "customsnet.modeling.estimation.mcmle",
    "SimulationSettings": "customsnet.modeling.simulation.settings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'customsnet.modeling' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
