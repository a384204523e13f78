"""Helpers of the command tests: the shared btergm reference cases (skip when absent)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

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
