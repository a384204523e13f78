"""Read a btergm reference case directory (``../shared/reference/btergm/<case>``) into a Panel.

Layout: ``edges.csv`` (year,i,j; undirected, 1-based node ids), ``nodes.csv`` (node,x) and
``edgecov.csv`` or ``edgecov.csv.gz`` (year,i,j,value with i<j). The panel has years 1..T,
node labels ``"1".."n"`` every year, the response network ``nets``, the dyadic covariate
``cov`` (symmetrised from the upper triangle, diagonal 0) and the node attribute ``x``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from customsnet.modeling.panel.panel import Panel, PanelError

#: the formula every reference case was fitted with in R
REFERENCE_FORMULA = (
    'nets ~ edges + gwesp(0.5, fixed = TRUE) + gwdegree(0.1, fixed = TRUE) + edgecov(cov) + absdiff("x") '
    '+ memory(type = "stability")'
)


def _find(directory: Path, stem: str) -> Path:
    for candidate in (directory / f"{stem}.csv", directory / f"{stem}.csv.gz"):
        if candidate.exists():
            return candidate
    raise PanelError(f"{directory} has no {stem}.csv or {stem}.csv.gz")


def _check_ids(frame: pd.DataFrame, path: Path, n: int) -> None:
    for col in ("i", "j"):
        bad = frame[(frame[col] < 1) | (frame[col] > n)]
        if len(bad):
            row = bad.index[0] + 2  # header is line 1
            raise PanelError(f"{path}: line {row}: node id {bad[col].iloc[0]} outside 1..{n}")


def read_reference_panel(directory: str | Path) -> Panel:
    """The reference case in ``directory`` as an undirected :class:`Panel` (see module doc)."""
    directory = Path(directory)
    nodes_path = _find(directory, "nodes")
    nodes = pd.read_csv(nodes_path).sort_values("node")
    n = len(nodes)
    if not np.array_equal(nodes["node"].to_numpy(), np.arange(1, n + 1)):
        raise PanelError(f"{nodes_path}: node ids must be 1..{n}")
    edges_path = _find(directory, "edges")
    edges = pd.read_csv(edges_path)
    cov_path = _find(directory, "edgecov")
    cov = pd.read_csv(cov_path)
    _check_ids(edges, edges_path, n)
    _check_ids(cov, cov_path, n)

    years = list(range(1, int(max(edges["year"].max(), cov["year"].max())) + 1))
    labels = np.array([str(k) for k in range(1, n + 1)])
    networks: dict[int, sp.csr_matrix] = {}
    covariates: dict[int, np.ndarray] = {}
    for year in years:
        e = edges[edges["year"] == year]
        i, j = e["i"].to_numpy() - 1, e["j"].to_numpy() - 1
        a = sp.coo_matrix((np.ones(len(e)), (i, j)), shape=(n, n)).tocsr()
        a = ((a + a.T) > 0).astype(np.float64).tocsr()
        a.setdiag(0)
        a.eliminate_zeros()
        networks[year] = a
        c = cov[cov["year"] == year]
        m = np.zeros((n, n))
        ci, cj = c["i"].to_numpy() - 1, c["j"].to_numpy() - 1
        m[ci, cj] = c["value"].to_numpy(dtype=np.float64)
        m[cj, ci] = c["value"].to_numpy(dtype=np.float64)
        np.fill_diagonal(m, 0.0)
        covariates[year] = m
    x = nodes["x"].to_numpy(dtype=np.float64)
    return Panel(
        years=years,
        nodes={y: labels for y in years},
        networks={"nets": networks},
        dyad_covs={"cov": covariates},
        node_attrs={"x": {y: x.copy() for y in years}},
        directed=False,
        meta={"source": str(directory)},
    )
