"""The inputs every design-building command shares: the panel, its years, the formula.

One place for each rule, so that ``fit``, ``predict``, ``gof``, ``interpret``, ``sensitivity``
and ``timetrend`` agree:

* the panel is a saved ``.npz``, a btergm reference case directory, or (no path) exported from
  the graph with a tie date ``basis``;
* ``years`` are checked once (:func:`select_years`): against the panel's own years, and before
  an export against the span of years the loaded sources observe (:func:`check_years_covered`),
  so a model on years no source covers fails instead of returning estimates of nothing;
* the formula defaults once (:func:`resolve_formula`): the one given, else the saved fit's, else
  a reference case's own formula;
* the missing-value policy is the design's (``error``, ``drop-nodes``, ``impute-zero``,
  ``impute-mode``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the heavy modules load when a command runs, not when the CLI starts
    from customsnet.modeling.panel.panel import Panel
    from customsnet.modeling.results import FitResult

MISSING_POLICIES = ("error", "drop-nodes", "impute-zero", "impute-mode")
BASES = ("signed", "in_force")
DEFAULT_ESTIMATOR = "mple"  # the one default of every command that fits
# a year outside this is a typing error, not a calendar year (and would make a huge range)
YEAR_BOUNDS = (1, 9999)
NO_FORMULA = (
    "--formula is required with a panel file or the panel exported from the graph "
    "(only a btergm reference case directory or a saved fit brings its own)"
)


class InputError(ValueError):
    """A command's input is unusable; the message names the parameter and the value."""


def parse_years(text: str | None) -> list[int] | None:
    """``"1990-2020"`` -> [1990, ..., 2020]; ``"1990,1995"`` -> [1990, 1995]; None/"" -> None."""
    if not text:
        return None
    try:
        if "-" in text.strip()[1:]:
            first, last = (int(v) for v in text.split("-", 1))
            if last < first:
                raise ValueError
            bounds = [first, last]
        else:
            bounds = [int(v) for v in text.split(",")]
    except ValueError:
        raise InputError(f"--years: expected FIRST-LAST (e.g. 1990-2020) or a comma list, got {text!r}") from None
    low, high = YEAR_BOUNDS
    outside = [y for y in bounds if not low <= y <= high]
    if outside:
        raise InputError(f"--years {text!r}: {outside[0]} is not a year between {low} and {high}")
    if "-" in text.strip()[1:]:
        return list(range(bounds[0], bounds[1] + 1))
    return sorted(dict.fromkeys(bounds))


def span_text(years: list[int]) -> str:
    return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])


@dataclass(frozen=True)
class PanelSource:
    """Where a command's panel comes from, and which part of it the model uses."""

    path: Path | None = None  # .npz, reference case directory, or None: export from the graph
    years: list[int] | None = None  # None: all of a file's years; required for the graph
    basis: str = "signed"  # date a tie starts when exporting: "signed" or "in_force"
    missing: str = "error"  # the design's missing-value policy

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise InputError(f"--basis: expected one of {', '.join(BASES)}, got {self.basis!r}")
        if self.missing not in MISSING_POLICIES:
            raise InputError(f"--missing: expected one of {', '.join(MISSING_POLICIES)}, got {self.missing!r}")

    @property
    def is_reference_case(self) -> bool:
        return self.path is not None and self.path.is_dir()

    def describe(self) -> str:
        return str(self.path) if self.path is not None else f"exported from the graph (basis {self.basis})"


def load_panel_file(path: Path) -> Panel:
    """A saved panel (``.npz``) or a btergm reference case directory."""
    from customsnet.modeling.panel.panel import Panel

    if path.is_dir():
        from customsnet.modeling.panel.reference import read_reference_panel

        return read_reference_panel(path)
    return Panel.load(path)


def select_years(panel: Panel, years: list[int] | None) -> Panel:
    """``panel`` cut to ``years`` (None: all), every year required to be in it."""
    if years is None:
        return panel
    missing = [y for y in years if y not in panel.years]
    if missing:
        shown = ", ".join(str(y) for y in missing[:5]) + (", …" if len(missing) > 5 else "")
        raise InputError(f"--years: the panel has no year(s) {shown} (it has {span_text(panel.years)})")
    return panel.subset_years(years)


def data_years(graph) -> tuple[int, int] | None:
    """The first and last year any loaded source observes (None: the graph holds no dated fact)."""
    from customsnet.cypher import load_cypher

    row = graph.read(load_cypher("data_years"))[0]
    if row["first_year"] is None:
        return None
    return int(row["first_year"]), int(row["last_year"])


def check_years_covered(years: list[int], covered: tuple[int, int] | None) -> None:
    """Refuse model years outside the span the loaded sources observe."""
    if covered is None:
        raise InputError(
            "the graph holds no dated fact (no observation, trade or agreement year): "
            "load sources first (`customsnet load all DIR`)"
        )
    first, last = covered
    outside = [y for y in years if not first <= y <= last]
    if outside:
        shown = ", ".join(str(y) for y in outside[:5]) + (", …" if len(outside) > 5 else "")
        raise InputError(f"--years: no loaded source covers {shown}; the sources in the graph observe {first}-{last}")


def panel_from_graph(years: list[int], basis: str = "signed") -> Panel:
    """Export the study's panel from the graph (``NEO4J_URI`` or the managed server) for ``years``."""
    from customsnet.graph.connection import Graph
    from customsnet.modeling.panel.export import export_panel

    with Graph.connect() as graph:
        check_years_covered(years, data_years(graph))
        panel = export_panel(graph, years=(years[0], years[-1]), basis=basis)
    return panel


def open_panel(source: PanelSource) -> Panel:
    """The panel ``source`` names, cut to its years (the years check of every command)."""
    if source.path is None:
        if source.years is None:
            raise InputError("--years is required when the panel is exported from the graph (no --panel)")
        return select_years(panel_from_graph(source.years, source.basis), source.years)
    return select_years(load_panel_file(source.path), source.years)


def resolve_formula(formula: str | None, source: PanelSource, fit: FitResult | None = None) -> str:
    """The formula given, else the saved fit's, else a reference case directory's own formula."""
    if formula:
        return formula
    if fit is not None and fit.formula:
        return fit.formula
    if source.is_reference_case:
        from customsnet.modeling.panel.reference import REFERENCE_FORMULA

        return REFERENCE_FORMULA
    raise InputError(NO_FORMULA)


def resolve_formula_names(formula: str, panel: Panel, aliases: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """``formula`` with its names resolved against ``panel`` (:mod:`customsnet.modeling.terms.covariate_names`).

    Returns the formula text (unchanged when every name was exact) and a note of the renames.
    """
    from customsnet.modeling.estimation.separable import is_separable
    from customsnet.modeling.terms.covariate_names import CovariateNameError, resolve_names

    if is_separable(formula):
        # Form(~ …) + Persist(~ …): the parts are checked against the panel when the block design
        # is built; names are taken as written (no case folding or aliases inside the parts yet)
        return formula, []
    try:
        resolved, renames = resolve_names(formula, panel, aliases)
    except CovariateNameError as exc:
        raise InputError(f"--formula: {exc}") from None
    if not renames:
        return formula, []
    shown = ", ".join(f"{given} -> {name}" for given, name in renames.items())
    return str(resolved), [f"formula names resolved ({shown}): {resolved}"]
