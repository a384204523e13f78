"""Panel: the in-memory yearly networks and covariates that the estimator sees.

A :class:`Panel` is the only input of the modeling layer. It is built from the graph
(:mod:`customsnet.modeling.panel.export`), from reference CSV files, from a saved ``.npz`` file or
by the demo generator, and it knows nothing about Neo4j.

Layout (all per-year objects are aligned to ``nodes[year]``, in that order):

* ``years``: the calendar years, ascending.
* ``nodes[year]``: node labels (ISO3 codes, or any strings) present that year. The node set may
  change from year to year (composition change); matching across years is by label.
* ``networks[name][year]``: a square ``scipy.sparse.csr_matrix`` of 0/1 ties (symmetric when
  ``directed`` is False). The outcome (formula left-hand side) is one of these.
* ``dyad_covs[name][year]``: a square dense ``float64`` array of a dyadic covariate
  (``edgecov``/``dyadcov``); ``NaN`` marks a missing value. Covariates are stored *for the
  model year*: when the study lags covariates one year, the exporter already put the value of
  ``year - 1`` here.
* ``node_attrs[name][year]``: a ``float64`` vector of a nodal attribute (``nodecov``,
  ``absdiff``); ``NaN`` marks a missing value. A *categorical* attribute (``nodematch``,
  ``nodefactor``, ``nodemix``) may be given as strings, a pandas ``Categorical`` or an object
  array; it is stored as float codes ``0..L-1`` into ``attr_levels[name]``, its level labels in
  ergm's order (``sort(unique(x))`` over all years; Python's code-point order, which equals R's
  in the C locale), with ``NaN`` for missing values (``None``, ``NaN``, ``""``).
* ``missing``: free-form notes from the exporter on what was missing and how it was handled.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp


class PanelError(ValueError):
    """A panel is malformed (wrong shapes, unknown names, missing years)."""


@dataclass
class Panel:
    """Yearly node sets, networks, dyadic covariates and node attributes (see module doc)."""

    years: list[int]
    nodes: dict[int, np.ndarray]
    networks: dict[str, dict[int, sp.csr_matrix]] = field(default_factory=dict)
    dyad_covs: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)
    node_attrs: dict[str, dict[int, np.ndarray]] = field(default_factory=dict)
    directed: bool = False
    missing: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    #: level labels of the categorical node attributes (the codes in ``node_attrs`` index them)
    attr_levels: dict[str, tuple[str, ...]] = field(default_factory=dict)

    # ------------------------------------------------------------------ checks
    def __post_init__(self) -> None:
        self.years = [int(y) for y in self.years]
        self.nodes = {int(y): np.asarray(v).astype(str) for y, v in self.nodes.items()}
        for y in self.years:
            if y not in self.nodes:
                raise PanelError(f"panel has no node set for year {y}")
        self.networks = {
            k: {int(y): sp.csr_matrix(m, dtype=np.float64) for y, m in v.items()} for k, v in self.networks.items()
        }
        self.dyad_covs = {
            k: {int(y): np.asarray(m.toarray() if sp.issparse(m) else m, dtype=np.float64) for y, m in v.items()}
            for k, v in self.dyad_covs.items()
        }
        levels = {k: tuple(str(x) for x in v) for k, v in self.attr_levels.items()}
        attrs: dict[str, dict[int, np.ndarray]] = {}
        for name, by_year in self.node_attrs.items():
            attrs[name], found = attribute_codes(name, by_year, levels.get(name))
            if found is not None:
                levels[name] = found
        self.node_attrs = attrs
        self.attr_levels = levels
        self.validate()

    def validate(self) -> None:
        """Raise :class:`PanelError` if any per-year object does not match its node set."""
        for kind, store in (("network", self.networks), ("dyadic covariate", self.dyad_covs)):
            for name, by_year in store.items():
                for y, m in by_year.items():
                    if y not in self.nodes:
                        raise PanelError(f"{kind} {name!r} has year {y}, which has no node set")
                    n = len(self.nodes[y])
                    if m.shape != (n, n):
                        raise PanelError(f"{kind} {name!r} in {y} has shape {m.shape}, expected ({n}, {n})")
        for name, by_year in self.node_attrs.items():
            for y, a in by_year.items():
                if y not in self.nodes:
                    raise PanelError(f"node attribute {name!r} has year {y}, which has no node set")
                if a.shape != (len(self.nodes[y]),):
                    raise PanelError(
                        f"node attribute {name!r} in {y} has shape {a.shape}, expected ({len(self.nodes[y])},)"
                    )
        if not self.directed:
            for name, by_year in self.networks.items():
                for y, m in by_year.items():
                    if (m != m.T).nnz:
                        raise PanelError(f"network {name!r} in {y} is not symmetric but the panel is undirected")

    # ------------------------------------------------------------------ access
    def n_nodes(self, year: int) -> int:
        return len(self.nodes[year])

    def network(self, name: str, year: int) -> sp.csr_matrix:
        try:
            return self.networks[name][year]
        except KeyError:
            raise PanelError(f"panel has no network {name!r} for year {year}") from None

    def dyad_cov(self, name: str, year: int) -> np.ndarray:
        """A dyadic covariate by name (a network is not one: see ``modeling/covariate_names.py``)."""
        if name in self.dyad_covs:
            try:
                return self.dyad_covs[name][year]
            except KeyError:
                raise PanelError(f"dyadic covariate {name!r} has no value for year {year}") from None
        if name in self.networks:
            # the same-year network as a covariate would be silent simultaneity; lagged ones are covariates
            raise PanelError(
                f"{name!r} is a network of the panel, not a dyadic covariate: a same-year network "
                f"is never used as a covariate (dyadic covariates: {sorted(self.dyad_covs)})"
            )
        raise PanelError(
            f"panel has no dyadic covariate or network named {name!r} "
            f"(has: {sorted(set(self.dyad_covs) | set(self.networks))})"
        )

    def node_attr(self, name: str, year: int) -> np.ndarray:
        try:
            return self.node_attrs[name][year]
        except KeyError:
            raise PanelError(
                f"panel has no node attribute {name!r} for year {year} (has: {sorted(self.node_attrs)})"
            ) from None

    def attribute_levels(self, name: str) -> tuple[np.ndarray, tuple[str, ...]]:
        """The values a node attribute takes over all years (sorted) and their labels.

        Categorical: the codes ``0..L-1`` and the level labels; numeric: the distinct values and
        their R spelling (``1``, ``0.5``), as ergm names factor levels of a numeric attribute.
        """
        if name in self.attr_levels:
            labels = self.attr_levels[name]
            return np.arange(len(labels), dtype=np.float64), labels
        if name not in self.node_attrs:
            raise PanelError(f"panel has no node attribute {name!r} (has: {sorted(self.node_attrs)})")
        from customsnet.modeling.terms.base import r_number

        values = np.concatenate([a for a in self.node_attrs[name].values()]) if self.node_attrs[name] else np.zeros(0)
        values = np.unique(values[~np.isnan(values)])
        return values, tuple(r_number(v) for v in values)

    def subset_years(self, years: Iterable[int]) -> Panel:
        """A panel restricted to ``years`` (which must all be present)."""
        keep = [int(y) for y in years]
        missing = [y for y in keep if y not in self.nodes]
        if missing:
            raise PanelError(f"panel has no years {missing}")
        return Panel(
            years=keep,
            nodes={y: self.nodes[y] for y in keep},
            networks={k: {y: m for y, m in v.items() if y in keep} for k, v in self.networks.items()},
            dyad_covs={k: {y: m for y, m in v.items() if y in keep} for k, v in self.dyad_covs.items()},
            node_attrs={k: {y: a for y, a in v.items() if y in keep} for k, v in self.node_attrs.items()},
            directed=self.directed,
            missing=list(self.missing),
            meta=dict(self.meta),
            attr_levels=dict(self.attr_levels),
        )

    # ------------------------------------------------------------------ I/O
    def save(self, path: str | Path) -> Path:
        """Save to a compressed ``.npz`` file (no pickles)."""
        path = Path(path)
        arrays: dict[str, np.ndarray] = {}
        for y in self.years:
            arrays[f"nodes/{y}"] = self.nodes[y].astype("U")
        for name, by_year in self.networks.items():
            for y, m in by_year.items():
                coo = sp.triu(m).tocoo() if not self.directed else m.tocoo()
                arrays[f"net/{name}/{y}"] = np.vstack([coo.row, coo.col]).astype(np.int64)
        for name, by_year in self.dyad_covs.items():
            for y, m in by_year.items():
                arrays[f"dyad/{name}/{y}"] = m
        for name, by_year in self.node_attrs.items():
            for y, a in by_year.items():
                arrays[f"attr/{name}/{y}"] = a
        header = {
            "years": self.years,
            "directed": self.directed,
            "missing": self.missing,
            "meta": self.meta,
            "attr_levels": {k: list(v) for k, v in self.attr_levels.items()},
        }
        arrays["__header__"] = np.array(json.dumps(header))
        np.savez_compressed(path, **arrays)
        return path if path.suffix == ".npz" else path.with_suffix(path.suffix + ".npz")

    @classmethod
    def load(cls, path: str | Path) -> Panel:
        with np.load(Path(path), allow_pickle=False) as z:
            header = json.loads(str(z["__header__"]))
            directed = bool(header["directed"])
            nodes: dict[int, np.ndarray] = {}
            networks: dict[str, dict[int, sp.csr_matrix]] = {}
            dyad: dict[str, dict[int, np.ndarray]] = {}
            attrs: dict[str, dict[int, np.ndarray]] = {}
            for key in z.files:
                if key == "__header__":
                    continue
                kind, *rest = key.split("/")
                year = int(rest[-1])
                if kind == "nodes":
                    nodes[year] = z[key]
            for key in z.files:
                if key == "__header__":
                    continue
                kind, *rest = key.split("/")
                year = int(rest[-1])
                name = "/".join(rest[:-1])
                if kind == "net":
                    n = len(nodes[year])
                    rc = z[key]
                    m = sp.coo_matrix((np.ones(rc.shape[1]), (rc[0], rc[1])), shape=(n, n)).tocsr()
                    if not directed:
                        m = ((m + m.T) > 0).astype(np.float64).tocsr()
                    networks.setdefault(name, {})[year] = m
                elif kind == "dyad":
                    dyad.setdefault(name, {})[year] = z[key]
                elif kind == "attr":
                    attrs.setdefault(name, {})[year] = z[key]
        return cls(
            years=header["years"],
            nodes=nodes,
            networks=networks,
            dyad_covs=dyad,
            node_attrs=attrs,
            directed=directed,
            missing=list(header.get("missing", [])),
            meta=dict(header.get("meta", {})),
            attr_levels={k: tuple(v) for k, v in header.get("attr_levels", {}).items()},
        )


def _is_missing(value: object) -> bool:
    """``None``, ``""``, a float NaN or pandas' ``NA``/``NaT``."""
    if value is None or (isinstance(value, str) and value == ""):
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return type(value).__name__ in ("NAType", "NaTType")


def attribute_codes(
    name: str, by_year: dict, levels: tuple[str, ...] | None
) -> tuple[dict[int, np.ndarray], tuple[str, ...] | None]:
    """A node attribute as float64 vectors: numeric values as they are, categorical values as codes.

    ``levels`` given (a saved panel): numeric arrays are codes into it and are checked. Otherwise a
    year given as text makes the attribute categorical: every year must then be text or missing,
    and the levels are the sorted distinct labels over all years. Raises :class:`PanelError`
    naming the attribute, the year and an offending value.
    """
    raw = {int(y): np.asarray(a, dtype=object) if not isinstance(a, np.ndarray) else a for y, a in by_year.items()}
    if levels is not None:
        out = {}
        for y, a in raw.items():
            try:
                codes = np.asarray(a, dtype=np.float64)
            except (TypeError, ValueError):
                raise PanelError(
                    f"node attribute {name!r} in {y}: codes of a categorical attribute must be "
                    f"numbers 0..{len(levels) - 1}"
                ) from None
            bad = ~np.isnan(codes) & ((codes < 0) | (codes >= len(levels)) | (codes != np.floor(codes)))
            if bad.any():
                raise PanelError(
                    f"node attribute {name!r} in {y}: code {codes[bad][0]} is not a level index "
                    f"0..{len(levels) - 1} of {list(levels)}"
                )
            out[y] = codes
        return out, None
    numeric: dict[int, np.ndarray] = {}
    text: dict[int, list] = {}
    for y, a in raw.items():
        a = np.asarray(a)
        if a.dtype.kind in "biuf":
            numeric[y] = a.astype(np.float64)
            continue
        values = a.ravel().tolist()
        if all(_is_missing(v) or (isinstance(v, (int, float, np.number)) and not isinstance(v, bool)) for v in values):
            numeric[y] = np.array([np.nan if _is_missing(v) else float(v) for v in values]).reshape(a.shape)
            continue
        odd = next((v for v in values if not _is_missing(v) and not isinstance(v, str)), None)
        if odd is not None:
            raise PanelError(
                f"node attribute {name!r} in {y} mixes text and other values (e.g. {odd!r}); give a categorical "
                f"attribute as strings only (None or '' for missing) or a numeric one as numbers only"
            )
        text[y] = values
    if not text:
        return numeric, None
    if numeric:
        with_numbers = sorted(y for y, a in numeric.items() if np.isfinite(a).any())
        if with_numbers:
            raise PanelError(
                f"node attribute {name!r} is text in {sorted(text)} but numbers in {with_numbers}; "
                f"use one kind for every year"
            )
    labels = tuple(sorted({v for vs in text.values() for v in vs if not _is_missing(v)}))
    index = {label: float(k) for k, label in enumerate(labels)}
    out = {y: np.array([np.nan if _is_missing(v) else index[v] for v in vs]) for y, vs in text.items()}
    out.update({y: a for y, a in numeric.items()})  # all-missing years stay NaN
    return out, labels


def adjacency_from_edges(labels: np.ndarray, edges: Iterable[tuple[str, str]], directed: bool = False) -> sp.csr_matrix:
    """Build a 0/1 adjacency over ``labels`` from label pairs; pairs with an unknown label raise."""
    index = {lab: k for k, lab in enumerate(labels)}
    rows, cols = [], []
    for a, b in edges:
        try:
            i, j = index[a], index[b]
        except KeyError as exc:
            raise PanelError(f"edge ({a}, {b}) names a node not in the node set: {exc.args[0]}") from None
        if i == j:
            continue
        rows.append(i)
        cols.append(j)
    n = len(labels)
    m = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    if not directed:
        m = m + m.T
    m.data[:] = 1.0
    m.sum_duplicates()
    m.data[:] = 1.0
    return m.tocsr()
