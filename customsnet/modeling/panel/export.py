"""Graph -> Panel: the yearly networks, node attributes and dyadic covariates the study models.

The one place where the modeling layer reads the graph (through :mod:`customsnet.graph.signals`,
i.e. the ``cypher/signals_*.cypher`` queries, each covering all years in one round-trip). The
coding follows ``shared/spec/data-sources.md`` ("How the study codes the network"):

* nodes of year t: state-system members that year, plus the EU (it has its own spell);
* outcome: undirected network of ``outcome`` ties in place in t (date basis signed / in force);
  other agreement types are exported as networks too (same year, not lagged);
* node attributes and dyadic covariates enter **lagged**: the value of year ``t - lag`` is stored
  under year t, aligned to the node set of t;
* dyadic covariates: ``trade`` = log(1 + total bilateral trade), ``contiguity`` (0/1, COW type <=
  ``contiguity_max_type``), ``mlat`` / ``fta`` (0/1, a tie in place), ``terrorism`` =
  fatalities_i + fatalities_j, ``drugs`` = either state on the Majors List (0/1). The absolute
  differences (regime, civil liberties, corruption, ideal point) are computed by the model terms
  (``absdiff``) from the exported node attributes.

Provenance: ``Panel.meta["sources"]`` lists every Source whose facts the export used, and
``Panel.meta["synthetic"]`` is True exactly when one of them is synthetic (the demo's files). An
export that would mix synthetic and real facts raises :class:`ExportError` unless
``allow_mixed=True``: a researcher never fits real and simulated data together unnoticed.

Undated agreements: ``undated="exclude"`` (default) leaves agreements without a date on the
chosen basis out of every year's network; ``"in_force"`` dates an agreement without a signing year
by its entry into force; ``"error"`` refuses to export while any is undated. How many were left
out, and why, is in ``Panel.meta["undated"]`` and in ``Panel.missing``. ``Panel.meta["tied_pairs"]``
lists every pair with an outcome agreement of any date (predictions must not list them as new).

One value per fact: several sources for one variable (two V-Dem releases) are never averaged.
``precedence`` (variable -> source names, ``"*"`` for all) orders them; by default the newest
release comes first: the source whose series reaches the latest year, then the higher release
number in its name (``_v14`` < ``_v15``), then the name. Each country-year takes its value from the
first source that has it; ``Panel.meta["observation_sources"]`` says which source gave how many.

Missing values are NaN and reported per variable and year in ``Panel.missing`` (one line each)
and ``Panel.meta["missing"]`` (structured); nothing is silently zero. The only absences read as
0 are those that mean 0: a country-year missing from GTD or from the Majors List *in a year the
source covers* (a year with no record at all is not covered: NaN), and a dyad without a
contiguity spell inside the years the contiguity data spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from customsnet.graph import provenance, signals
from customsnet.graph.connection import Graph
from customsnet.modeling.panel.panel import Panel

ATTRIBUTES = ("polyarchy", "civlib", "corruption", "ideal_point", "terror_fatalities", "majors_list")
COVARIATES = ("trade", "contiguity", "mlat", "fta", "terrorism", "drugs")
NETWORKS = ("MLAT", "FTA")
# attributes published as lists of events: a country-year absent from a covered year is a true 0
ABSENCE_IS_ZERO = ("terror_fatalities", "majors_list")
# dyadic covariates computed from node attributes, and the attribute each needs
DERIVED_FROM_ATTRIBUTE = {"terrorism": "terror_fatalities", "drugs": "majors_list"}
# agreement-network covariates and their relationship type
AGREEMENT_COVARIATES = {"mlat": "MLAT", "fta": "FTA"}
MISSING_POLICIES = ("report", "error")
UNDATED_POLICIES = ("exclude", "in_force", "error")
# how many country codes a one-line note names before "..."
NOTE_NAMES = 12


class ExportError(ValueError):
    """The graph cannot give the requested panel (no nodes in a year, missing values under 'error')."""


@dataclass(frozen=True)
class ExportConfig:
    """What was exported and how; stored in ``Panel.meta["export"]``."""

    years: tuple[int, int]
    outcome: str = "CMAA"
    basis: str = "signed"
    lag: int = 1
    attributes: tuple[str, ...] = ATTRIBUTES
    covariates: tuple[str, ...] = COVARIATES
    networks: tuple[str, ...] = NETWORKS
    covariate_basis: str = "signed"
    contiguity_max_type: int = 1
    absence_is_zero: tuple[str, ...] = ABSENCE_IS_ZERO
    missing: str = "report"
    undated: str = "exclude"

    def dating(self, basis: str) -> str:
        """The date basis the tie queries use: ``undated='in_force'`` falls back on entry into force."""
        return "signed_else_in_force" if self.undated == "in_force" and basis == "signed" else basis

    @property
    def tie_basis(self) -> str:
        return self.dating(self.basis)

    def validate(self) -> None:
        first, last = self.years
        if first > last:
            raise ExportError(f"year range {first}-{last} is empty")
        if self.lag < 0:
            raise ExportError(f"lag must be 0 or more years, got {self.lag}")
        for tie_type in (self.outcome, *self.networks):
            signals.check_tie_options(tie_type, self.basis)
        signals.check_tie_options(self.outcome, self.covariate_basis)  # the covariate basis, same rules
        unknown = sorted(set(self.covariates) - set(COVARIATES))
        if unknown:
            raise ExportError(f"unknown dyadic covariates {unknown}; known: {', '.join(COVARIATES)}")
        if self.undated not in UNDATED_POLICIES:
            raise ExportError(f"undated must be one of {UNDATED_POLICIES}, got {self.undated!r}")
        if self.missing not in MISSING_POLICIES:
            raise ExportError(f"missing must be one of {MISSING_POLICIES}, got {self.missing!r}")

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}


@dataclass
class MissingLog:
    """Collects what was missing (NaN) per variable and year, as notes and as a structure."""

    notes: list[str] = field(default_factory=list)
    detail: dict[str, dict[str, dict]] = field(default_factory=dict)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def nodes(self, name: str, year: int, labels: np.ndarray, values: np.ndarray, why: str = "") -> None:
        """Record NaN (or, for a categorical attribute, None) entries of a node attribute (or nothing when complete)."""
        bad = labels[pd.isna(values)].tolist()
        if not bad:
            return
        self.detail.setdefault(name, {})[str(year)] = {"missing": len(bad), "of": len(labels), "countries": bad}
        self.notes.append(f"{name} {year}: {len(bad)} of {len(labels)} node-years NaN{why} ({name_list(bad)})")

    def dyads(self, name: str, year: int, labels: np.ndarray, matrix: np.ndarray, why: str = "") -> None:
        """Record NaN dyads (upper triangle) of a dyadic covariate and the countries they involve."""
        n = len(labels)
        iu, ju = np.triu_indices(n, k=1)
        nan = np.isnan(matrix[iu, ju])
        count = int(nan.sum())
        if not count:
            return
        involved = labels[np.unique(np.concatenate([iu[nan], ju[nan]]))].tolist()
        self.detail.setdefault(name, {})[str(year)] = {
            "missing": count,
            "of": len(iu),
            "countries": involved,
        }
        self.notes.append(
            f"{name} {year}: {count} of {len(iu)} dyads NaN{why}, involving {len(involved)} countries "
            f"({name_list(involved)})"
        )


def name_list(codes: Sequence[str]) -> str:
    shown = ", ".join(codes[:NOTE_NAMES])
    return shown + (f", ... (+{len(codes) - NOTE_NAMES})" if len(codes) > NOTE_NAMES else "")


# ---------------------------------------------------------------------------------- pure parts
def pair_indices(labels: np.ndarray, sources, targets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Node indices of each (source, target) pair; ``inside`` is False where a party is not a node."""
    index = pd.Index(labels)
    i = index.get_indexer(pd.Index(sources, dtype=object))
    j = index.get_indexer(pd.Index(targets, dtype=object))
    inside = (i >= 0) & (j >= 0) & (i != j)
    return i, j, inside


def adjacency(n: int, i: np.ndarray, j: np.ndarray) -> sp.csr_matrix:
    """Symmetric 0/1 adjacency of ``n`` nodes from index pairs (duplicates collapse to 1)."""
    m = sp.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n)).tocsr()
    m = m + m.T
    m.data[:] = 1.0
    m.eliminate_zeros()
    return m.tocsr()


def dyad_matrix(n: int, i: np.ndarray, j: np.ndarray, values: np.ndarray, fill: float) -> np.ndarray:
    """Dense symmetric matrix with ``values`` at (i, j) and (j, i), ``fill`` elsewhere, 0 on the diagonal."""
    m = np.full((n, n), fill, dtype=np.float64)
    m[i, j] = values
    m[j, i] = values
    np.fill_diagonal(m, 0.0)
    return m


def attribute_vector(labels: np.ndarray, countries, values, absent: float | None) -> np.ndarray:
    """Values aligned to ``labels``; labels without a value get ``absent`` (NaN or 0; None for text).

    Numeric values give a float64 vector; text values (``absent`` None) an object vector of labels
    with None where missing, which :class:`Panel` stores as a categorical attribute.
    """
    if absent is None:
        series = pd.Series(np.asarray(values, dtype=object), index=pd.Index(countries, dtype=object))
        out = series.reindex(pd.Index(labels, dtype=object)).to_numpy(dtype=object)
        return np.array([None if pd.isna(v) else str(v) for v in out], dtype=object)
    series = pd.Series(np.asarray(values, dtype=np.float64), index=pd.Index(countries, dtype=object))
    # fill_value fills only labels without a row; a stored NaN value stays NaN
    return series.reindex(pd.Index(labels, dtype=object), fill_value=absent).to_numpy(dtype=np.float64)


def text_valued(variable: str, rows: pd.DataFrame) -> bool:
    """Whether an attribute's observations are labels (text) rather than numbers.

    Raises :class:`ExportError` naming the variable and a country-year when both kinds occur: a
    categorical attribute (region, regime type) must be text everywhere.
    """
    values = rows["value"].tolist()
    is_text = [isinstance(v, str) for v in values]
    if not any(is_text):
        return False
    odd = next((k for k, (v, t) in enumerate(zip(values, is_text)) if not t and not pd.isna(v)), None)
    if odd is not None:
        row = rows.iloc[odd]
        first_text = rows.iloc[is_text.index(True)]
        raise ExportError(
            f"attribute {variable!r} mixes text and numbers in the graph: {row['country']} {int(row['year'])} is "
            f"{row['value']!r} (source {row['source']}), {first_text['country']} {int(first_text['year'])} is "
            f"{first_text['value']!r}; a categorical attribute must be text in every Observation"
        )
    return True


def group_by_year(frame: pd.DataFrame) -> dict[int, pd.DataFrame]:
    return {int(y): g for y, g in frame.groupby("year", sort=True)}


# ---------------------------------------------------------------------------------- the I/O shell
def export_panel(
    graph: Graph,
    years: tuple[int, int] = (1990, 2020),
    outcome: str = "CMAA",
    covariates: Sequence[str] = COVARIATES,
    lag: int = 1,
    basis: str = "signed",
    missing: str = "report",
    attributes: Sequence[str] = ATTRIBUTES,
    networks: Sequence[str] = NETWORKS,
    covariate_basis: str | None = None,
    contiguity_max_type: int = 1,
    absence_is_zero: Sequence[str] = ABSENCE_IS_ZERO,
    undated: str = "exclude",
    precedence: dict[str, Sequence[str]] | None = None,
    allow_mixed: bool = False,
) -> Panel:
    """Build the modeling :class:`Panel` for ``years`` (inclusive) from the graph.

    ``covariate_basis`` is the date basis of the lagged agreement covariates (default: ``basis``).
    ``missing="report"`` keeps NaN and reports it; ``"error"`` raises :class:`ExportError` when
    anything exported is missing. Attributes needed by ``terrorism`` / ``drugs`` are exported
    even when not listed in ``attributes``. ``undated``, ``precedence`` and ``allow_mixed``: see
    the module docstring.
    """
    config = ExportConfig(
        years=(int(years[0]), int(years[1])),
        outcome=outcome,
        basis=basis,
        lag=int(lag),
        attributes=tuple(
            dict.fromkeys(
                [*attributes, *(DERIVED_FROM_ATTRIBUTE[c] for c in covariates if c in DERIVED_FROM_ATTRIBUTE)]
            )
        ),
        covariates=tuple(covariates),
        networks=tuple(n for n in networks if n != outcome),
        covariate_basis=covariate_basis or basis,
        contiguity_max_type=int(contiguity_max_type),
        absence_is_zero=tuple(absence_is_zero),
        missing=missing,
        undated=undated,
    )
    config.validate()
    first, last = config.years
    year_list = list(range(first, last + 1))
    log = MissingLog()
    sources = check_provenance(graph, config, allow_mixed)

    node_sets = signals.node_sets(graph, first, last)
    empty = [y for y in year_list if not node_sets.get(y)]
    if empty:
        raise ExportError(
            f"no state-system members in {name_list([str(y) for y in empty])}: "
            "are the membership spells (MEMBER_OF_SYSTEM) loaded for these years?"
        )
    nodes = {y: np.asarray(node_sets[y], dtype=object) for y in year_list}
    loaded = signals.coverage(graph)
    ties = TieReader(graph, first - config.lag, last)

    panel_networks = {}
    undated_report: dict[str, dict] = {}
    for name in (config.outcome, *config.networks):
        kind = loaded.get(name, {})
        if not kind.get("relationships"):
            log.note(f"{name}: no {name} relationships in the graph; its network is empty because nothing was loaded")
        undated_report[name] = undated_counts(kind, config)
        if undated_report[name]["relationships"]:
            log.note(f"{name}: {undated_report[name]['why']}")
        panel_networks[name] = _networks(ties.by_year(name, config.tie_basis), name, nodes, 0, log)
    if config.undated == "error" and any(u["relationships"] for u in undated_report.values()):
        raise ExportError(
            "undated agreements (undated='error'): "
            + "; ".join(f"{k}: {u['why']}" for k, u in undated_report.items() if u["relationships"])
        )
    observation_sources: dict[str, dict] = {}
    node_attrs = _node_attributes(graph, config, nodes, log, precedence or {}, observation_sources)
    dyad_covs = _dyadic_covariates(graph, config, nodes, node_attrs, loaded, ties, log)

    if config.missing == "error" and log.detail:
        where = [f"{name} ({len(by_year)} year(s), first {min(by_year)})" for name, by_year in log.detail.items()]
        raise ExportError(
            f"exported variables have missing values (missing='error'): {', '.join(where)}; "
            "rerun with missing='report' and read panel.missing for the countries"
        )
    return Panel(
        years=year_list,
        nodes={y: nodes[y].astype(str) for y in year_list},
        networks=panel_networks,
        dyad_covs=dyad_covs,
        node_attrs=node_attrs,
        directed=False,
        missing=log.notes,
        meta={
            "source": "neo4j",
            "uri": graph.uri,
            "outcome": config.outcome,
            "export": config.to_dict(),
            "missing": log.detail,
            "sources": sources,
            "synthetic": any(row["synthetic"] for row in sources),
            "undated": undated_report,
            "tied_pairs": provenance.agreement_pairs(graph, config.outcome),
            "observation_sources": observation_sources,
        },
    )


def undated_counts(coverage_row: dict, config: ExportConfig) -> dict:
    """How many agreements of one type no year's network holds under the undated policy, and why."""
    if config.basis == "in_force":
        rels, agreements = coverage_row.get("undated_in_force", 0), coverage_row.get("undated_in_force_agreements", 0)
        why = "without an in-force year"
    elif config.undated == "in_force":
        rels, agreements = coverage_row.get("undated_both", 0), coverage_row.get("undated_both_agreements", 0)
        why = "without a signing or an in-force year (undated='in_force' dates the others by entry into force)"
    else:
        rels, agreements = coverage_row.get("undated_signed", 0), coverage_row.get("undated_signed_agreements", 0)
        why = "without a signing year (undated='exclude'; undated='in_force' would date them by entry into force)"
    total = coverage_row.get("agreements", 0)
    return {
        "policy": config.undated,
        "basis": config.basis,
        "relationships": int(rels or 0),
        "agreements": int(agreements or 0),
        "of_agreements": int(total or 0),
        "why": f"{int(agreements or 0)} of {int(total or 0)} agreements ({int(rels or 0)} pairwise ties) are in no "
        f"year's network: {why}",
    }


def check_provenance(graph: Graph, config: ExportConfig, allow_mixed: bool) -> list[dict]:
    """The sources of the facts this export uses; ExportError when synthetic and real ones would mix."""
    first, last = config.years
    rows = provenance.fact_sources(
        graph, first, last, config.lag, (config.outcome, *config.networks, "MLAT", "FTA"), config.attributes
    )
    # the loader's built-in Source (the EU's membership spell) belongs to every graph, real or demo
    real = sorted({r["source"] for r in rows if not r["synthetic"] and r["source"] != "customsnet"})
    synthetic = sorted({r["source"] for r in rows if r["synthetic"]})
    if real and synthetic and not allow_mixed:
        raise ExportError(
            f"the graph mixes synthetic facts ({name_list(synthetic)}) with real ones ({name_list(real)}); "
            "an analysis would use both. Remove the demo's sources (`customsnet unload SOURCE`, or "
            "`customsnet db reset`), or pass allow_mixed (the run is then labelled synthetic)"
        )
    return rows


class TieReader:
    """Ties per (type, basis) read once for all years an export needs (networks and lagged covariates)."""

    def __init__(self, graph: Graph, first: int, last: int) -> None:
        self.graph, self.first, self.last = graph, first, last
        self._cache: dict[tuple[str, str], dict[int, pd.DataFrame]] = {}

    def by_year(self, tie_type: str, basis: str) -> dict[int, pd.DataFrame]:
        key = (tie_type, basis)
        if key not in self._cache:
            self._cache[key] = group_by_year(signals.ties(self.graph, self.first, self.last, tie_type, basis))
        return self._cache[key]


def _networks(
    by_year: dict[int, pd.DataFrame],
    tie_type: str,
    nodes: dict[int, np.ndarray],
    lag: int,
    log: MissingLog,
) -> dict[int, sp.csr_matrix]:
    """Adjacency per year t of the ties in place in ``t - lag``, over the node set of t."""
    out: dict[int, sp.csr_matrix] = {}
    for year, labels in nodes.items():
        frame = by_year.get(year - lag)
        if frame is None:
            out[year] = sp.csr_matrix((len(labels), len(labels)), dtype=np.float64)
            continue
        i, j, inside = pair_indices(labels, frame["source"].to_numpy(), frame["target"].to_numpy())
        if not inside.all() and lag == 0:
            outside = frame.loc[~inside, ["source", "target"]]
            pairs = [f"{a}-{b}" for a, b in outside.itertuples(index=False)]
            log.note(
                f"{tie_type} {year}: {len(pairs)} tie(s) left out, a party is not in the year's node set "
                f"({name_list(pairs)})"
            )
        out[year] = adjacency(len(labels), i[inside], j[inside])
    return out


def release_number(source: str) -> int:
    """The release a source's name states (``vdem:vdemlite_v14_...`` -> 14), or -1."""
    import re

    found = re.findall(r"(?:^|[_\-:])v(\d+)(?=$|[_\-.])", source.lower())
    return int(found[-1]) if found else -1


def rank_sources(
    frame: pd.DataFrame,
    variable: str,
    precedence: dict[str, Sequence[str]],
    coverage: dict[tuple[str, str], int] | None = None,
) -> tuple[list[str], str]:
    """Sources of ``variable`` in precedence order, and the rule that ordered them.

    Configured names (``precedence[variable]``, else ``precedence["*"]``) come first in their order;
    the rest follow newest release first: latest year covered (over the source's whole series,
    ``coverage[(variable, source)]``, not just the exported years), then release number, then name.
    """
    rows = frame[frame["variable"] == variable]
    last_year = rows.groupby("source")["year"].max().to_dict()
    last_year = {src: (coverage or {}).get((variable, src), y) for src, y in last_year.items()}
    default = sorted(last_year, key=lambda src: (-last_year[src], -release_number(src), src))
    configured = [src for src in precedence.get(variable, precedence.get("*", [])) if src in last_year]
    ranked = configured + [src for src in default if src not in configured]
    rule = (
        "configured precedence"
        if configured
        else "newest release (the series reaching the latest year, then the higher release number)"
    )
    return ranked, rule


def one_value_per_fact(
    frame: pd.DataFrame,
    precedence: dict[str, Sequence[str]],
    log: MissingLog | None = None,
    coverage: dict[tuple[str, str], int] | None = None,
) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Keep, per country-year-variable, the value of the first source in precedence order (no averaging)."""
    if frame.empty or "source" not in frame:
        return frame, {}
    choices: dict[str, dict] = {}
    kept = []
    for variable, rows in frame.groupby("variable", sort=True):
        ranked, rule = rank_sources(frame, variable, precedence, coverage)
        if len(ranked) == 1:
            kept.append(rows)
            choices[variable] = {"sources": ranked, "rule": "single source", "values_from": {ranked[0]: len(rows)}}
            continue
        order = {src: k for k, src in enumerate(ranked)}
        rows = rows.assign(_rank=rows["source"].map(order)).sort_values("_rank", kind="stable")
        if text_valued(variable, rows):  # labels differ when they are not the same label
            differing = int((rows.groupby(["country", "year"])["value"].nunique() > 1).sum())
        else:
            numbers = rows.assign(value=rows["value"].astype("float64"))
            spread = numbers.groupby(["country", "year"])["value"].agg(["min", "max"])
            differing = int(((spread["max"] - spread["min"]).abs() > 1e-9).sum())
        best = rows.drop_duplicates(["country", "year"], keep="first").drop(columns="_rank")
        values_from = best["source"].value_counts().reindex(ranked, fill_value=0).astype(int).to_dict()
        choices[variable] = {
            "sources": ranked,
            "rule": rule,
            "values_from": values_from,
            "last_year": {src: int((coverage or {}).get((variable, src), -1)) for src in ranked},
            "facts_with_several_sources": int((rows.groupby(["country", "year"]).size() > 1).sum()),
            "differing": differing,
        }
        if log is not None:
            log.note(
                f"{variable}: {len(ranked)} sources give it; precedence ({rule}): {' > '.join(ranked)}; values taken "
                + ", ".join(f"{n} from {src}" for src, n in values_from.items())
                + f"; {differing} country-years where they differ (no averaging)"
            )
        kept.append(best)
    return pd.concat(kept, ignore_index=True), choices


def _node_attributes(
    graph: Graph,
    config: ExportConfig,
    nodes: dict[int, np.ndarray],
    log: MissingLog,
    precedence: dict[str, Sequence[str]] | None = None,
    choices: dict[str, dict] | None = None,
) -> dict[str, dict[int, np.ndarray]]:
    """Each attribute per year t: value of ``t - lag`` for the nodes of t (one source per fact).

    An attribute whose observations are text (a region or regime-type label) is exported as labels
    (object arrays, None where missing), which :class:`Panel` stores as a categorical attribute
    usable by ``nodematch``/``nodefactor``/``nodemix``; a country absent from its source is missing
    (never a level), whatever ``absence_is_zero`` says.
    """
    if not config.attributes:
        return {}
    first, last = config.years
    frame = signals.observations(graph, config.attributes, first - config.lag, last - config.lag)
    coverage = provenance.observation_coverage(graph, config.attributes) if frame["source"].nunique() > 1 else {}
    frame, chosen = one_value_per_fact(frame, precedence or {}, log, coverage)
    if choices is not None:
        choices.update(chosen)
    grouped = {(int(y), v): g for (y, v), g in frame.groupby(["year", "variable"], sort=False)}
    out: dict[str, dict[int, np.ndarray]] = {}
    for variable in config.attributes:
        text = text_valued(variable, frame[frame["variable"] == variable])
        zero_absent = variable in config.absence_is_zero and not text
        out[variable] = {}
        for year, labels in nodes.items():
            source_year = year - config.lag
            rows = grouped.get((source_year, variable))
            if rows is None:
                values = np.full(len(labels), None, dtype=object) if text else np.full(len(labels), np.nan)
                why = f" (no {variable} observation at all in {source_year})"
            else:
                absent = None if text else (0.0 if zero_absent else np.nan)
                values = attribute_vector(labels, rows["country"].to_numpy(), rows["value"].to_numpy(), absent)
                why = f" (value of {source_year})" if config.lag else ""
            out[variable][year] = values
            log.nodes(variable, year, labels, values, why)
    for variable in config.absence_is_zero:
        if variable in config.attributes:
            log.note(
                f"{variable}: a country absent from a year the source covers is coded 0 (the source lists events); "
                "years without any record are NaN"
            )
    return out


@dataclass(frozen=True)
class _DyadInputs:
    """What every dyadic covariate builder reads: the graph, the settings, the nodes of each year."""

    graph: Graph
    config: ExportConfig
    nodes: dict[int, np.ndarray]
    node_attrs: dict[str, dict[int, np.ndarray]]
    loaded: dict[str, dict]
    ties: TieReader
    log: MissingLog

    @property
    def source_years(self) -> tuple[int, int]:
        """The years the lagged values are read from: ``first - lag`` to ``last - lag``."""
        first, last = self.config.years
        return first - self.config.lag, last - self.config.lag


def _unknown_dyads(n: int) -> np.ndarray:
    """An ``n`` x ``n`` matrix missing everywhere but on the diagonal."""
    m = np.full((n, n), np.nan)
    np.fill_diagonal(m, 0.0)
    return m


def _trade_covariate(d: _DyadInputs, name: str) -> dict[int, np.ndarray]:
    """log(1 + trade) of each dyad in ``t - lag``; NaN where no TRADE record exists."""
    lag = d.config.lag
    by_year = group_by_year(signals.trade(d.graph, *d.source_years))
    out = {}
    for year, labels in d.nodes.items():
        n = len(labels)
        rows = by_year.get(year - lag)
        if rows is None:
            m = dyad_matrix(n, np.array([], int), np.array([], int), np.array([]), np.nan)
            why = f" (no trade records for {year - lag})"
        else:
            i, j, inside = pair_indices(labels, rows["source"].to_numpy(), rows["target"].to_numpy())
            m = dyad_matrix(n, i[inside], j[inside], np.log1p(rows["value"].to_numpy()[inside]), np.nan)
            why = f" (no TRADE record for the dyad in {year - lag})"
        out[year] = m
        d.log.dyads(name, year, labels, m, why)
    return out


def _contiguity_covariate(d: _DyadInputs, name: str) -> dict[int, np.ndarray]:
    """1 for dyads contiguous in ``t - lag``, 0 otherwise; NaN for years the contiguity data misses."""
    config, lag = d.config, d.config.lag
    # no CONTIGUOUS relationships at all: no spans, so every dyad-year is missing
    spans = d.loaded.get("CONTIGUOUS") if d.loaded.get("CONTIGUOUS", {}).get("relationships") else None
    by_year = group_by_year(signals.contiguity(d.graph, *d.source_years, config.contiguity_max_type)) if spans else {}
    out = {}
    for year, labels in d.nodes.items():
        n, source_year = len(labels), year - lag
        covered = (
            bool(spans)
            and spans["first_year"] <= source_year
            and (spans["last_year"] is None or source_year <= spans["last_year"])
        )
        if not covered:
            m = _unknown_dyads(n)
            why = (
                " (no contiguity loaded)"
                if not spans
                else f" ({source_year} is outside the contiguity data, {spans['first_year']}-{spans['last_year']})"
            )
        else:
            rows = by_year.get(source_year)
            m = np.zeros((n, n))
            if rows is not None:
                i, j, inside = pair_indices(labels, rows["source"].to_numpy(), rows["target"].to_numpy())
                m = dyad_matrix(n, i[inside], j[inside], np.ones(int(inside.sum())), 0.0)
            why = ""
        out[year] = m
        d.log.dyads(name, year, labels, m, why)
    last_source = d.source_years[1]
    if spans and spans["open_spells"] and last_source > (spans["last_closed"] or spans["first_year"]):
        # an open spell may mean "still contiguous" or "the source ends here": say which was assumed
        d.log.note(
            f"contiguity: {spans['open_spells']} spell(s) have no end year and are taken as continuing through "
            f"{last_source} (the last closed spell ends in {spans['last_closed']}; COW contiguity ends 2016)"
        )
    return out


def _agreement_covariate(d: _DyadInputs, name: str) -> dict[int, np.ndarray]:
    """The agreement network of ``t - lag`` (MLAT, FTA) as a 0/1 matrix; NaN when none was loaded."""
    tie_type = AGREEMENT_COVARIATES[name]
    if not d.loaded.get(tie_type, {}).get("relationships"):
        # no agreement of this type in the graph: the source was not loaded, so unknown, not 0
        out = {}
        for year, labels in d.nodes.items():
            out[year] = _unknown_dyads(len(labels))
            d.log.dyads(name, year, labels, out[year], f" (no {tie_type} relationships in the graph)")
        return out
    config = d.config
    nets = _networks(
        d.ties.by_year(tie_type, config.dating(config.covariate_basis)), tie_type, d.nodes, config.lag, d.log
    )
    return {year: m.toarray() for year, m in nets.items()}


def _attribute_covariate(d: _DyadInputs, name: str) -> dict[int, np.ndarray]:
    """A dyadic covariate from a node attribute: terrorism = x_i + x_j, drugs = max(x_i, x_j)."""
    attribute = DERIVED_FROM_ATTRIBUTE[name]
    combine = np.add.outer if name == "terrorism" else np.maximum.outer
    lag_note = f" (value of t-{d.config.lag})" if d.config.lag else ""
    out = {}
    for year, labels in d.nodes.items():
        x = d.node_attrs[attribute][year]
        m = combine(x, x)
        np.fill_diagonal(m, 0.0)
        out[year] = m
        d.log.dyads(name, year, labels, m, f" (from {attribute}{lag_note})")
    return out


# the builder of each dyadic covariate, in the order they are exported (the order of COVARIATES)
DYADIC_BUILDERS = {
    "trade": _trade_covariate,
    "contiguity": _contiguity_covariate,
    **dict.fromkeys(AGREEMENT_COVARIATES, _agreement_covariate),
    **dict.fromkeys(DERIVED_FROM_ATTRIBUTE, _attribute_covariate),
}


def _dyadic_covariates(
    graph: Graph,
    config: ExportConfig,
    nodes: dict[int, np.ndarray],
    node_attrs: dict[str, dict[int, np.ndarray]],
    loaded: dict[str, dict],
    ties: TieReader,
    log: MissingLog,
) -> dict[str, dict[int, np.ndarray]]:
    """Each dyadic covariate per year t (value of ``t - lag``), as dense matrices over the nodes of t."""
    inputs = _DyadInputs(graph, config, nodes, node_attrs, loaded, ties, log)
    wanted = set(config.covariates)
    return {name: build(inputs, name) for name, build in DYADIC_BUILDERS.items() if name in wanted}
