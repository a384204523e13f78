"""Test helpers: btergm's own MPLE rows from the reference cases, as :class:`Design` objects.

Building the design from R's rows (``mple_matrix_compressed.csv``: the compressed rows btergm
stacks, with weights) tests the estimators alone, independently of the change-statistic code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customsnet.modeling.design.design import Design, StepDesign

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = REPO_ROOT.parent / "shared" / "reference" / "btergm"


def reference_dir(case: str) -> Path:
    """The reference case directory, or skip the test when the shared data is absent."""
    path = REFERENCE / case
    if not path.is_dir():
        pytest.skip(f"reference data not found at {path}")
    return path


def coef_table(case: str) -> pd.DataFrame:
    return pd.read_csv(reference_dir(case) / "coef.csv", index_col="term")


def compressed_design(case: str) -> Design:
    """btergm's compressed rows per step (weights as given), with btergm's coefficient names."""
    path = reference_dir(case)
    rows = pd.read_csv(path / "mple_matrix_compressed.csv")
    names = list(coef_table(case).index)
    X_all = rows.iloc[:, 3:].to_numpy(dtype=np.float64)
    assert X_all.shape[1] == len(names)
    steps = []
    for step, idx in rows.groupby("step", sort=True).indices.items():
        steps.append(
            StepDesign(
                year=int(step) + 1,  # step k models year k + 1
                X=X_all[idx],
                y=rows["y"].to_numpy(np.float64)[idx],
                w=rows["weight"].to_numpy(np.float64)[idx],
                nodes=np.arange(60).astype(str),
            )
        )
    return Design(names=names, steps=steps, directed=False, formula=formula_of(case))


def dyadlist_design(case: str) -> Design:
    """One row per dyad (``mple_design.csv``), with ``lag_tie`` read off the stability memory column."""
    path = reference_dir(case)
    rows = pd.read_csv(path / "mple_design.csv")
    names = list(coef_table(case).index)
    X_all = rows.iloc[:, 5:].to_numpy(dtype=np.float64)
    memory = X_all[:, names.index("edgecov.memory[[i]]")]
    n_nodes = int(max(rows["tail"].max(), rows["head"].max()))
    steps = []
    for _, idx in rows.groupby("step", sort=True).indices.items():
        steps.append(
            StepDesign(
                year=int(rows["year"].iloc[idx[0]]),
                X=X_all[idx],
                y=rows["y"].to_numpy(np.float64)[idx],
                w=np.ones(len(idx)),
                nodes=np.arange(1, n_nodes + 1).astype(str),
                tail=rows["tail"].to_numpy()[idx] - 1,
                head=rows["head"].to_numpy()[idx] - 1,
                lag_tie=(memory[idx] == 1.0).astype(np.int8),
            )
        )
    return Design(names=names, steps=steps, directed=False, formula=formula_of(case))


def formula_of(case: str) -> str:
    for line in (reference_dir(case) / "meta.txt").read_text().splitlines():
        if line.startswith("formula:"):
            return " ".join(line.split(":", 1)[1].split())
    return ""


def boot_indices(case: str) -> np.ndarray:
    """R's drawn step indices (R x T', 1-based)."""
    return pd.read_csv(reference_dir(case) / "boot_indices.csv").iloc[:, 1:].to_numpy()
