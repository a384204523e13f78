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

from customsnet.graph import signals
from customsnet.graph.connection import Graph
from customsnet.modeling.panel import Panel

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
        """Record NaN entries of a node attribute (or nothing when complete)."""
        bad = labels[np.isnan(values)].tolist()
        if not bad:
            return
        self.detail.setdefault(name, {})[str(year)] = {"missing": len(bad), "of": len(labels), "countries": bad}
        self.notes.append(
            f"{name} {year}: {len(bad)} of {len(labels)} node-years NaN{why} ({name_list(bad)})"
        )

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
            "missing": count, "of": len(iu), "countries": involved,
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


def attribute_vector(labels: np.ndarray, countries, values, absent: float) -> np.ndarray:
    """Values aligned to ``labels``; labels without a value get ``absent`` (NaN or 0)."""
    series = pd.Series(np.asarray(values, dtype=np.float64), index=pd.Index(countries, dtype=object))
    # fill_value fills only labels without a row; a stored NaN value stays NaN
    return series.reindex(pd.Index(labels, dtype=object), fill_value=absent).to_numpy(dtype=np.float64)


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
) -> Panel:
    """Build the modeling :class:`Panel` for ``years`` (inclusive) from the graph.

    ``covariate_basis`` is the date basis of the lagged agreement covariates (default: ``basis``).
    ``missing="report"`` keeps NaN and reports it; ``"error"`` raises :class:`ExportError` when
    anything exported is missing. Attributes needed by ``terrorism`` / ``drugs`` are exported
    even when not listed in ``attributes``.
    """
    config = ExportConfig(
        years=(int(years[0]), int(years[1])),
        outcome=outcome,
        basis=basis,
        lag=int(lag),
        attributes=tuple(dict.fromkeys([*attributes, *(DERIVED_FROM_ATTRIBUTE[c] for c in covariates
                                                       if c in DERIVED_FROM_ATTRIBUTE)])),
        covariates=tuple(covariates),
        networks=tuple(n for n in networks if n != outcome),
        covariate_basis=covariate_basis or basis,
        contiguity_max_type=int(contiguity_max_type),
        absence_is_zero=tuple(absence_is_zero),
        missing=missing,
    )
    config.validate()
    first, last = config.years
    year_list = list(range(first, last + 1))
    log = MissingLog()

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
    for name in (config.outcome, *config.networks):
        kind = loaded.get(name, {})
        if not kind.get("relationships"):
            log.note(f"{name}: no {name} relationships in the graph; its network is empty because nothing was loaded")
        signed = config.basis == "signed"
        undated = kind.get("undated_signed" if signed else "undated_in_force", 0)
        if undated:
            log.note(f"{name}: {undated} relationship(s) without a {'signing' if signed else 'in-force'} year "
                     "are in no year's network")
        panel_networks[name] = _networks(ties.by_year(name, config.basis), name, nodes, 0, log)
    node_attrs = _node_attributes(graph, config, nodes, log)
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
        },
    )


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


def _node_attributes(
    graph: Graph, config: ExportConfig, nodes: dict[int, np.ndarray], log: MissingLog
) -> dict[str, dict[int, np.ndarray]]:
    """Each attribute per year t: value of ``t - lag`` for the nodes of t."""
    if not config.attributes:
        return {}
    first, last = config.years
    frame = signals.observations(graph, config.attributes, first - config.lag, last - config.lag)
    if frame.duplicated(["year", "country", "variable"]).any():
        # several sources for one country-year-variable: their mean; say so where they disagree
        spread = frame.groupby(["variable", "country", "year"])["value"].agg(["min", "max"])
        conflicts = spread[(spread["max"] - spread["min"]).abs() > 1e-9].index.tolist()
        if conflicts:
            log.note(
                f"{len(conflicts)} country-year-variable(s) have differing observations from several sources; "
                f"their mean is used ({name_list([f'{v} {c} {y}' for v, c, y in conflicts])})"
            )
        frame = frame.groupby(["year", "variable", "country"], as_index=False)["value"].mean()
    grouped = {(int(y), v): g for (y, v), g in frame.groupby(["year", "variable"], sort=False)}
    out: dict[str, dict[int, np.ndarray]] = {}
    for variable in config.attributes:
        zero_absent = variable in config.absence_is_zero
        out[variable] = {}
        for year, labels in nodes.items():
            source_year = year - config.lag
            rows = grouped.get((source_year, variable))
            if rows is None:
                values = np.full(len(labels), np.nan)
                why = f" (no {variable} observation at all in {source_year})"
            else:
                absent = 0.0 if zero_absent else np.nan
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
    first, last = config.years
    lo, hi = first - config.lag, last - config.lag
    out: dict[str, dict[int, np.ndarray]] = {}
    wanted = set(config.covariates)
    lag_note = f" (value of t-{config.lag})" if config.lag else ""

    if "trade" in wanted:
        by_year = group_by_year(signals.trade(graph, lo, hi))
        out["trade"] = {}
        for year, labels in nodes.items():
            n = len(labels)
            rows = by_year.get(year - config.lag)
            if rows is None:
                m = dyad_matrix(n, np.array([], int), np.array([], int), np.array([]), np.nan)
                why = f" (no trade records for {year - config.lag})"
            else:
                i, j, inside = pair_indices(labels, rows["source"].to_numpy(), rows["target"].to_numpy())
                m = dyad_matrix(n, i[inside], j[inside], np.log1p(rows["value"].to_numpy()[inside]), np.nan)
                why = f" (no TRADE record for the dyad in {year - config.lag})"
            out["trade"][year] = m
            log.dyads("trade", year, labels, m, why)

    if "contiguity" in wanted:
        # no CONTIGUOUS relationships at all: no spans, so every dyad-year is missing
        spans = loaded.get("CONTIGUOUS") if loaded.get("CONTIGUOUS", {}).get("relationships") else None
        by_year = group_by_year(signals.contiguity(graph, lo, hi, config.contiguity_max_type)) if spans else {}
        out["contiguity"] = {}
        for year, labels in nodes.items():
            n, source_year = len(labels), year - config.lag
            covered = bool(spans) and spans["first_year"] <= source_year and (
                spans["last_year"] is None or source_year <= spans["last_year"]
            )
            if not covered:
                m = np.full((n, n), np.nan)
                np.fill_diagonal(m, 0.0)
                why = (
                    " (no contiguity loaded)" if not spans
                    else f" ({source_year} is outside the contiguity data, {spans['first_year']}-{spans['last_year']})"
                )
            else:
                rows = by_year.get(source_year)
                m = np.zeros((n, n))
                if rows is not None:
                    i, j, inside = pair_indices(labels, rows["source"].to_numpy(), rows["target"].to_numpy())
                    m = dyad_matrix(n, i[inside], j[inside], np.ones(int(inside.sum())), 0.0)
                why = ""
            out["contiguity"][year] = m
            log.dyads("contiguity", year, labels, m, why)
        if spans and spans["open_spells"] and last - config.lag > (spans["last_closed"] or spans["first_year"]):
            # an open spell may mean "still contiguous" or "the source ends here": say which was assumed
            log.note(
                f"contiguity: {spans['open_spells']} spell(s) have no end year and are taken as continuing through "
                f"{last - config.lag} (the last closed spell ends in {spans['last_closed']}; COW contiguity ends 2016)"
            )

    for name, tie_type in AGREEMENT_COVARIATES.items():
        if name not in wanted:
            continue
        out[name] = {}
        if not loaded.get(tie_type, {}).get("relationships"):
            # no agreement of this type in the graph: the source was not loaded, so unknown, not 0
            for year, labels in nodes.items():
                m = np.full((len(labels), len(labels)), np.nan)
                np.fill_diagonal(m, 0.0)
                out[name][year] = m
                log.dyads(name, year, labels, m, f" (no {tie_type} relationships in the graph)")
            continue
        nets = _networks(ties.by_year(tie_type, config.covariate_basis), tie_type, nodes, config.lag, log)
        out[name] = {year: m.toarray() for year, m in nets.items()}

    for name, attribute in DERIVED_FROM_ATTRIBUTE.items():
        if name not in wanted:
            continue
        out[name] = {}
        for year, labels in nodes.items():
            x = node_attrs[attribute][year]
            # terrorism: fatalities_i + fatalities_j; drugs: either state on the Majors List
            m = np.add.outer(x, x) if name == "terrorism" else np.maximum.outer(x, x)
            np.fill_diagonal(m, 0.0)
            out[name][year] = m
            log.dyads(name, year, labels, m, f" (from {attribute}{lag_note})")
    return out
