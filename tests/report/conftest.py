"""Fixtures for the report tests: the study's Models 1-3 and the formation model, fitted on btergm's case1."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "btergm"
NETWORK = "gwesp(0.5, fixed = TRUE) + gwdegree(0.1, fixed = TRUE)"
COVARIATES = 'edgecov(cov) + absdiff("x")'
STUDY_FORMULAS = {
    "Model 1": f'nets ~ edges + {NETWORK} + memory(type = "stability")',
    "Model 2": f"nets ~ edges + {COVARIATES}",
    "Model 3": f'nets ~ edges + {NETWORK} + {COVARIATES} + memory(type = "stability")',
}


@pytest.fixture(scope="session")
def case1_panel():
    from customsnet.modeling.panel.reference import read_reference_panel

    if not (REFERENCE / "case1").is_dir():
        pytest.skip(f"reference data not found at {REFERENCE / 'case1'}")
    return read_reference_panel(REFERENCE / "case1")


@pytest.fixture(scope="session")
def study_fits(case1_panel, tmp_path_factory):
    """{name: FitResult} for Models 1-3 (mple, R = 30) and Formation, each also saved as <name>.json."""
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.estimation.fit import fit_tergm

    out = tmp_path_factory.mktemp("fits")
    fits = {}
    jobs = [*STUDY_FORMULAS.items(), ("Formation", STUDY_FORMULAS["Model 3"])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # case1's ties never dissolve: the separation warning is expected
        for name, formula in jobs:
            fit = fit_tergm(
                build_design(case1_panel, formula),
                estimator="formation" if name == "Formation" else "mple",
                bootstrap=30,
                seed=1,
            )
            fit.meta["model"] = name
            fit.save(out / name.replace(" ", "_"))
            fits[name] = fit
    return fits, out
