"""The commands that build a design share one option set and one default estimator, and compose:
``--missing`` works on each of them, the default fit feeds ``gof`` and ``interpret``, years are checked."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_support import reference_dir
from click.testing import CliRunner

from customsnet.cli import main
from customsnet.workflows.inputs import DEFAULT_ESTIMATOR

DESIGN_COMMANDS = ["fit", "predict", "gof", "interpret", "sensitivity", "timetrend"]
FORMULA = 'nets ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(cov) + absdiff("x") + memory(type = "stability")'


def run(*args: str):
    return CliRunner().invoke(main, ["--quiet", *args])


def test_every_design_command_takes_the_shared_option_set():
    import click

    ctx = click.Context(main)
    for name in DESIGN_COMMANDS:
        params = {p.name: p for p in main.get_command(ctx, name).params}
        assert {
            "panel_path",
            "years",
            "basis",
            "missing",
            "formula" if name != "predict" else "formulas",
            "estimator",
        } <= set(params), name
        assert params["estimator"].default == DEFAULT_ESTIMATOR, name
        assert list(params["missing"].type.choices) == ["error", "drop-nodes", "impute-zero", "impute-mode"]
        opts = {o for p in params.values() for o in p.opts}
        assert {"--panel", "--years", "--basis", "--missing"} <= opts, name


@pytest.fixture(scope="module")
def panel_with_missing(tmp_path_factory):
    """Reference case1 with one country's x unknown in year 5."""
    from customsnet.modeling.panel.reference import read_reference_panel

    panel = read_reference_panel(reference_dir("case1"))
    panel.node_attrs["x"][5] = panel.node_attrs["x"][5].copy()
    panel.node_attrs["x"][5][3] = np.nan
    return panel.save(tmp_path_factory.mktemp("panel") / "missing.npz")


COMMAND_ARGS = {
    "fit": ["--bootstrap", "0"],
    "predict": ["--train", "1-9", "--test", "10", "--nsim", "2", "--sweeps", "1"],
    "gof": ["--nsim", "2", "--burnin", "50", "--interval", "5"],
    "interpret": [],
    "sensitivity": ["--shares", "0.5"],
    "timetrend": ["--covariates", "cov", "--bootstrap", "0"],
}


@pytest.mark.slow
@pytest.mark.parametrize("command", DESIGN_COMMANDS)
def test_missing_policy_on_every_design_command(panel_with_missing, tmp_path, command):
    args = [
        command,
        "--panel",
        str(panel_with_missing),
        "--formula",
        FORMULA,
        *COMMAND_ARGS[command],
        "--out",
        str(tmp_path / "out"),
    ]
    refused = run(*args)
    assert refused.exit_code != 0
    assert "missing" in refused.output.lower(), refused.output
    dropped = run(*args, "--missing", "drop-nodes")
    assert dropped.exit_code == 0, dropped.output


@pytest.mark.slow
def test_default_fit_feeds_gof_and_interpret(tmp_path):
    """The default estimator (mple) leaves edges and memory not identified on case1 (separation):
    gof and interpret evaluate btergm's IRLS point estimate instead, and say so."""
    case = reference_dir("case1")
    fitted = run("fit", "--panel", str(case), "--bootstrap", "2", "--out", str(tmp_path / "fit"))
    assert fitted.exit_code == 0, fitted.output
    saved = json.loads((tmp_path / "fit" / "fit.json").read_text())
    assert saved["estimator"] == DEFAULT_ESTIMATOR
    fit_json = str(tmp_path / "fit" / "fit.json")
    gof = run(
        "gof",
        "--panel",
        str(case),
        "--fit",
        fit_json,
        "--years",
        "8-10",
        "--nsim",
        "5",
        "--burnin",
        "200",
        "--interval",
        "20",
        "--out",
        str(tmp_path / "gof"),
    )
    assert gof.exit_code == 0, gof.output
    assert "not identified" in gof.output and "btergm's IRLS point estimate" in gof.output
    assert list((tmp_path / "gof").glob("gof_*.csv"))
    interpret = run("interpret", "--panel", str(case), "--fit", fit_json, "--out", str(tmp_path / "interp"))
    assert interpret.exit_code == 0, interpret.output
    assert "not identified" in interpret.output
    # the probabilities are btergm's edgeprob (its coefficients are what gets evaluated)
    table = pd.read_csv(tmp_path / "interp" / "edgeprob.csv")
    reference = pd.read_csv(case / "edgeprob.csv")
    assert len(table) == len(reference)
    np.testing.assert_allclose(
        np.sort(table["probability"].to_numpy()), np.sort(reference["probability"].to_numpy()), atol=1e-6
    )


def test_predict_with_the_default_estimator_runs(tmp_path):
    case = reference_dir("case1")
    result = run("predict", "--panel", str(case), "--train", "1-9", "--test", "10", "--nsim", "2", "--sweeps", "1")
    assert result.exit_code == 0, result.output
    assert "coefficients (btergm" in result.output  # the mple fit was not identified: btergm's evaluated


@pytest.mark.parametrize(
    "years, message",
    [
        ("20-30", "the panel has no year(s) 20, 21, 22, 23, 24, …"),
        ("1990-99999999", "99999999 is not a year between 1 and 9999"),
        ("5-3", "FIRST-LAST"),
    ],
)
def test_years_are_checked_against_the_panel(tmp_path, years, message):
    result = run("fit", "--panel", str(reference_dir("case1")), "--years", years, "--out", str(tmp_path / "o"))
    assert result.exit_code != 0
    assert message in result.output


def test_quiet_hides_progress_only(tmp_path):
    case = reference_dir("case1_dissolve")
    result = run("fit", "--panel", str(case), "--bootstrap", "0", "--out", str(tmp_path / "o"))
    assert result.exit_code == 0, result.output
    assert "Time steps: 9" in result.output  # the summary table still prints under --quiet
    assert "saved" in result.output
