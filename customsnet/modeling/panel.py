"""Panel: the in-memory yearly networks and covariates that the estimator sees.

A :class:`Panel` is the only input of the modeling layer. It is built from the graph
(:mod:`customsnet.modeling.export`), from reference CSV files, from a saved ``.npz`` file or
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
  ``absdiff``); ``NaN`` marks a missing value.
* ``missing``: free-form notes from the exporter on what was missing and how it was handled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

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

    # ------------------------------------------------------------------ checks
    def __post_init__(self) -> None:
        self.years = [int(y) for y in self.years]
        self.nodes = {int(y): np.asarray(v).astype(str) for y, v in self.nodes.items()}
        for y in self.years:
            if y not in self.nodes:
                raise PanelError(f"panel has no node set for year {y}")
        self.networks = {
            k: {int(y): sp.csr_matrix(m, dtype=np.float64) for y, m in v.items()}
            for k, v in self.networks.items()
        }
        self.dyad_covs = {
            k: {int(y): np.asarray(m.toarray() if sp.issparse(m) else m, dtype=np.float64) for y, m in v.items()}
            for k, v in self.dyad_covs.items()
        }
        self.node_attrs = {
            k: {int(y): np.asarray(a, dtype=np.float64) for y, a in v.items()} for k, v in self.node_attrs.items()
        }
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
            raise PanelError(f"{name!r} is a network of the panel, not a dyadic covariate: a same-year network "
                             f"is never used as a covariate (dyadic covariates: {sorted(self.dyad_covs)})")
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

    def subset_years(self, years: Iterable[int]) -> "Panel":
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
        header = {"years": self.years, "directed": self.directed, "missing": self.missing, "meta": self.meta}
        arrays["__header__"] = np.array(json.dumps(header))
        np.savez_compressed(path, **arrays)
        return path if path.suffix == ".npz" else path.with_suffix(path.suffix + ".npz")

    @classmethod
    def load(cls, path: str | Path) -> "Panel":
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
        )


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
