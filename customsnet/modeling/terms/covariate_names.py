"""How a name in a formula finds its variable in a panel (response network, covariate, attribute).

The rules, in order, for each name (docs/modeling.md, "Names in formulas"):

1. the exact name of a panel variable of the right kind (network for the left-hand side,
   dyadic covariate for ``edgecov``/``dyadcov``/``timecov``, node attribute for ``absdiff``,
   ``nodecov``, …);
2. an alias (case-insensitive): :data:`STUDY_ALIASES`, the variable names of the paper and its
   sources (``fta_wto``, ``tradeflow_baci``, V-Dem's ``v2x_polyarchy`` …), plus those a run
   config adds;
3. the same name in another case, when exactly one variable matches (``cmaa ~`` is ``CMAA ~``).

A dyadic covariate that is exactly the name of a *network* of the panel (``edgecov(MLAT)``), or
that matches a network and no covariate in any case (``edgecov(cmaa)``), is an error that says
which covariate the study means: the same-year network is never used silently. The study's
agreement covariates are the networks lagged one year, under the lower-case name (``mlat`` is
"an MLAT in place in t-1"), and the error names that covariate when the panel has it.
Anything else unknown is an error listing the closest names. Pure: no I/O, no graph.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping

from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.terms.formula import Formula, as_formula

#: the paper's and the source files' names for the exported variables
STUDY_ALIASES: dict[str, str] = {
    "fta_wto": "fta",
    "tradeflow_baci": "trade",
    "tradeflow": "trade",
    "contig": "contiguity",
    "v2x_polyarchy": "polyarchy",
    "v2x_civlib": "civlib",
    "v2x_corr": "corruption",
    "idealpoint": "ideal_point",
}


class CovariateNameError(ValueError):
    """A formula names a variable the panel does not have, or names it ambiguously."""


def _closest(name: str, known: list[str]) -> str:
    by_folded = {k.lower(): k for k in known}
    shown = [by_folded[m] for m in difflib.get_close_matches(name.lower(), list(by_folded), n=3, cutoff=0.5)]
    return f"; closest: {', '.join(shown)}" if shown else ""


def _match(name: str, known: list[str], aliases: Mapping[str, str], what: str, term: str) -> str:
    """The panel variable ``name`` resolves to among ``known`` (rules 1-3 of the module doc)."""
    if name in known:
        return name
    target = aliases.get(name.lower())
    if target is not None:
        if target in known:
            return target
        raise CovariateNameError(
            f"{term}: {name!r} is an alias of {target!r}, which the panel has no {what} of "
            f"(has: {', '.join(sorted(known)) or 'none'})"
        )
    folded = [k for k in known if k.lower() == name.lower()]
    if len(folded) == 1:
        return folded[0]
    if folded:
        raise CovariateNameError(
            f"{term}: {name!r} matches several {what}s when case is ignored: "
            f"{', '.join(sorted(folded))}; write one exactly"
        )
    raise CovariateNameError(
        f"{term}: the panel has no {what} {name!r} (has: {', '.join(sorted(known)) or 'none'})" + _closest(name, known)
    )


def _dyadic(name: str, panel: Panel, aliases: Mapping[str, str], term: str) -> str:
    covariates = sorted(panel.dyad_covs)
    networks = {n.lower(): n for n in panel.networks}
    folds_to_covariate = any(c.lower() == name.lower() for c in covariates)
    exact_network = name in panel.networks and name not in covariates
    if exact_network or (
        name not in covariates and name.lower() not in aliases and not folds_to_covariate and name.lower() in networks
    ):
        network = networks[name.lower()]
        lagged = next((c for c in covariates if c == network.lower()), None)
        if lagged is not None:
            raise CovariateNameError(
                f"{term} names the network {network} of the same year t, which is not a covariate of this model; "
                f"the study's covariate is edgecov({lagged}): {network} in place in t-1. Write edgecov({lagged})"
            )
        raise CovariateNameError(
            f"{term} names the network {network}, not a dyadic covariate; a same-year network is not used as a "
            f"covariate (temporal terms such as memory() or delrecip() read earlier networks; dyadic covariates: "
            f"{', '.join(covariates) or 'none'})"
        )
    return _match(name, covariates, aliases, "dyadic covariate", term)


def resolve_names(
    formula: Formula | str,
    panel: Panel,
    aliases: Mapping[str, str] | None = None,
) -> tuple[Formula, dict[str, str]]:
    """``formula`` with each name replaced by the panel variable it resolves to.

    Returns the resolved formula and the renames made (given name -> panel name); raises
    :class:`CovariateNameError`. ``aliases`` (from a run config) extend :data:`STUDY_ALIASES`.
    """
    formula = as_formula(formula)
    table = {k.lower(): v for k, v in {**STUDY_ALIASES, **(aliases or {})}.items()}
    renames: dict[str, str] = {}
    lhs = _match(formula.lhs, sorted(panel.networks), {}, "network", f"{formula.lhs} ~")
    if lhs != formula.lhs:
        renames[formula.lhs] = lhs
    terms = []
    for term in formula.terms:
        label = term.to_r()
        mapping = {name: _dyadic(name, panel, table, label) for name in term.dyad_covariates()}
        mapping.update(
            {
                name: _match(name, sorted(panel.node_attrs), table, "node attribute", label)
                for name in term.node_attributes()
            }
        )
        changes = {
            f.name: mapping[getattr(term, f.name)]
            for f in dataclasses.fields(term)
            if f.name in ("x", "attr")
            and isinstance(getattr(term, f.name), str)
            and mapping.get(getattr(term, f.name), getattr(term, f.name)) != getattr(term, f.name)
        }
        renames.update({k: v for k, v in mapping.items() if k != v})
        terms.append(dataclasses.replace(term, **changes) if changes else term)
    return Formula(lhs, tuple(terms)), renames
