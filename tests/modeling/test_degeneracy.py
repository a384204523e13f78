"""Degeneracy check: a well-fitting model covers the observed statistics, a degenerate one does not."""

from __future__ import annotations

import numpy as np
import pytest
from mcmle_cases import DYAD_INDEPENDENT, dyad_independent_panel, exact_logit

from customsnet.modeling.evaluation.degeneracy import check_degeneracy
from customsnet.modeling.simulation.settings import SimulationSettings
from customsnet.modeling.simulation.simulate import SimulationError


@pytest.fixture(scope="module")
def panel():
    return dyad_independent_panel(seed=7)


def test_the_mle_covers_the_observed_statistics(panel):
    mle, _ = exact_logit(panel, DYAD_INDEPENDENT)
    check = check_degeneracy(
        mle, panel, formula=DYAD_INDEPENDENT, settings=SimulationSettings(nsim=200, seed=1, burnin=2000, interval=200)
    )
    table = check.table
    assert sorted(table["year"].unique()) == panel.years[1:]  # memory: the first year is only a lag
    assert len(table) == 3 * 4
    # 12 cells, each inside the simulated 95% range with probability ~0.95
    assert len(check.flagged()) <= 2, check.summary()
    assert np.all(np.abs(table["t"]) < 3.5)
    assert "Degeneracy check" in check.summary()


def test_a_degenerate_model_is_flagged_in_every_year(panel):
    mle, _ = exact_logit(panel, DYAD_INDEPENDENT)
    full = mle + np.array([6.0, 0.0, 0.0, 0.0])  # edges +6: the simulated networks are nearly complete
    check = check_degeneracy(
        full, panel, formula=DYAD_INDEPENDENT, settings=SimulationSettings(nsim=50, seed=1, burnin=5000, interval=200)
    )
    edges = check.table[check.table["term"] == "edges"]
    assert (edges["above"] == 1.0).all() or (edges["below"] == 0.0).all()
    assert set(check.flagged()["year"]) == set(panel.years[1:])


def test_years_and_formation_are_checked(panel):
    mle, _ = exact_logit(panel, DYAD_INDEPENDENT)
    one = check_degeneracy(
        mle,
        panel,
        formula=DYAD_INDEPENDENT,
        settings=SimulationSettings(nsim=20, seed=1, burnin=500, interval=50),
        years=[3],
    )
    assert set(one.table["year"]) == {3}
    with pytest.raises(SimulationError, match="not modeled"):
        check_degeneracy(mle, panel, formula=DYAD_INDEPENDENT, settings=SimulationSettings(nsim=20), years=[1])
    with pytest.raises(SimulationError, match="formation"):
        check_degeneracy(
            mle, panel, formula=DYAD_INDEPENDENT, settings=SimulationSettings(nsim=20), estimator="formation"
        )


def test_degeneracy_command_reads_a_saved_fit(panel, tmp_path):
    import pandas as pd
    from click.testing import CliRunner

    from customsnet.cli import main

    path = panel.save(tmp_path / "panel.npz")
    fit = CliRunner().invoke(
        main,
        [
            "--quiet",
            "fit",
            "--panel",
            str(path),
            "--formula",
            DYAD_INDEPENDENT,
            "--bootstrap",
            "0",
            "--out",
            str(tmp_path / "fit"),
        ],
    )
    assert fit.exit_code == 0, fit.output
    res = CliRunner().invoke(
        main,
        [
            "degeneracy",
            "--panel",
            str(path),
            "--fit",
            str(tmp_path / "fit" / "fit.json"),
            "--nsim",
            "20",
            "--burnin",
            "500",
            "--interval",
            "50",
            "--out",
            str(tmp_path / "d"),
        ],
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "d" / "degeneracy.csv")
    assert len(table) == 3 * 4 and "Degeneracy check" in res.output
