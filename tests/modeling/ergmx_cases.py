"""Read an ergmx reference case (``../shared/reference/ergmx/<case>``) into a one-year Panel.

Layout (INPUTS.txt of each case): ``edges.csv`` (i,j; 1-based, undirected, once with i<j),
``nodes.csv`` (node plus node attributes) and ``edgecov_X.csv`` (i,j,value for every dyad i<j).
The panel has the single year 1, the network ``nets``, the dyadic covariate ``X`` and every
node column as an attribute.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from customsnet.modeling.panel.panel import Panel

ERGMX = Path(__file__).resolve().parents[3] / "shared" / "reference" / "ergmx"


def ergmx_case(name: str) -> Path:
    """Directory of the case (tests skip when it is absent)."""
    return ERGMX / name


def read_ergmx_panel(directory: Path) -> Panel:
    nodes = pd.read_csv(directory / "nodes.csv").sort_values("node")
    n = len(nodes)
    edges = pd.read_csv(directory / "edges.csv")
    i, j = edges["i"].to_numpy() - 1, edges["j"].to_numpy() - 1
    a = sp.coo_matrix((np.ones(len(edges)), (i, j)), shape=(n, n)).tocsr()
    a = ((a + a.T) > 0).astype(float).tocsr()
    cov = np.zeros((n, n))
    path = directory / "edgecov_X.csv"
    if path.exists():
        c = pd.read_csv(path)
        ci, cj = c["i"].to_numpy() - 1, c["j"].to_numpy() - 1
        cov[ci, cj] = c["value"].to_numpy()
        cov[cj, ci] = c["value"].to_numpy()
    labels = np.array([str(k) for k in range(1, n + 1)])
    attrs = {col: {1: nodes[col].to_numpy(dtype=float)} for col in nodes.columns if col != "node"}
    return Panel(years=[1], nodes={1: labels}, networks={"nets": {1: a}}, dyad_covs={"X": {1: cov}}, node_attrs=attrs)


def reference_coef(directory: Path) -> pd.DataFrame:
    return pd.read_csv(directory / "coef.csv")
