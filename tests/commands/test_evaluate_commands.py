"""`customsnet predict | gof | interpret` on the reference case (click's test runner, no subprocess)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from customsnet.cli import main

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "btergm"


@pytest.fixture(scope="module")
def case1() -> Path:
    d = REF / "case1"
    if not d.is_dir():
        pytest.skip(f"reference data not found at {d}")
    return d


def test_predict_prints_both_kinds_of_auc(case1, tmp_path):
    out = tmp_path / "pred"
    result = CliRunner().invoke(
        main, ["predict", "--panel", str(case1), "--train", "1-9", "--test", "10", "--nsim", "30", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = result.output
    # the fit on years 1-9 is btergm's (gof_summary.txt: gwesp 0.3640386797145132)
    assert re.search(r"gwesp\.fixed\.0\.5\s+0\.364039", text)
    roc, pr = map(float, re.search(r"all dyads:\s+auc\.roc ([0-9.]+)\s+auc\.pr ([0-9.]+)", text).groups())
    assert 0.85 < roc <= 1 and 0.8 < pr
    new_roc, new_ap = map(
        float, re.search(r"new ties:\s+ROC-AUC ([0-9.]+)\s+PR-AUC \(average precision\) ([0-9.]+)", text).groups()
    )
    assert 0.3 < new_roc < 0.9 and new_ap < 0.3
    assert "33 new ties" in text
    metrics = pd.read_csv(out / "prediction_metrics.csv")
    assert set(metrics["mode"]) == {"btergm", "honest:simulate"}
    assert (out / "prediction_new_ties.pdf").exists() and (out / "scores_model_btergm.csv").exists()


def test_predict_compares_several_formulas(case1, tmp_path):
    full = 'nets ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(cov) + memory(type = "stability")'
    simple = 'nets ~ edges + edgecov(cov) + memory(type = "stability")'
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        main,
        [
            "--quiet",
            "predict",
            "--panel",
            str(case1),
            "--train",
            "1-9",
            "--test",
            "10",
            "--nsim",
            "10",
            "--sweeps",
            "2",
            "--formula",
            full,
            "--formula",
            simple,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "side by side" in result.output and "honest:exact" in result.output
    metrics = pd.read_csv(out / "prediction_metrics.csv")
    assert list(metrics["label"]) == ["model 1", "model 1", "model 2", "model 2"]
    assert list(metrics["mode"]) == ["btergm", "honest:simulate", "btergm", "honest:exact"]
    assert list(pd.read_csv(out / "models.csv")["formula"]) == [full, simple]


def test_predict_refuses_bad_years(case1):
    result = CliRunner().invoke(main, ["predict", "--panel", str(case1), "--train", "1-9", "--test", "11"])
    assert result.exit_code != 0 and "test year 11" in result.output
    result = CliRunner().invoke(main, ["predict", "--panel", str(case1), "--train", "1-10", "--test", "10"])
    assert result.exit_code != 0 and "precede" in result.output


def test_gof_from_a_saved_fit(case1, tmp_path):
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.estimation.fit import fit_tergm
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    design = build_design(read_reference_panel(case1), REFERENCE_FORMULA)
    # (FitResult.load currently fails on a fit saved without bootstrap replicates, hence R = 2)
    with pytest.warns(UserWarning):
        fit = fit_tergm(design, estimator="btergm", bootstrap=2, seed=1)
    json_path, _ = fit.save(tmp_path / "fit")
    out = tmp_path / "gof"
    result = CliRunner().invoke(
        main,
        [
            "gof",
            "--panel",
            str(case1),
            "--fit",
            str(json_path),
            "--years",
            "8-10",
            "--nsim",
            "10",
            "--burnin",
            "1000",
            "--interval",
            "100",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Geodesic distances" in result.output and "auc.roc" in result.output
    table = pd.read_csv(out / "gof_dsp.csv", index_col=0)
    assert table.shape[1] == 6  # obs, sim mean/median/min/max, MC p-value
    assert (out / "gof.png").exists() and (out / "gof.pdf").exists()


def test_interpret_writes_btergm_edgeprob(case1, tmp_path):
    out = tmp_path / "interp"
    result = CliRunner().invoke(
        main, ["interpret", "--panel", str(case1), "--covariate", "edgecov.cov[[i]]", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    ours = pd.read_csv(out / "edgeprob.csv")
    ref = pd.read_csv(case1 / "edgeprob.csv")
    # the CLI fits with btergm's IRLS itself; its coefficients agree with R's to ~1e-8
    np.testing.assert_allclose(ours["probability"], ref["probability"], atol=1e-6)
    assert "counterfactual" in result.output and "empirical" in result.output
    effect = pd.read_csv(out / "covariate_effects.csv")
    assert effect.loc[0, "term"] == "edgecov.cov[[i]]" and effect.loc[0, "difference"] > 0
    assert (out / "probabilities.pdf").exists()


# --------------------------------------------------------------------------- parallel back-end and progress
SMALL_FORMULA = "nets ~ edges + gwesp(0.5, fixed = TRUE) + memory()"


@pytest.fixture(scope="module")
def small_panel_file(tmp_path_factory) -> Path:
    """15 nodes, 4 years of persistent random ties with turnover (no shared data needed)."""
    import scipy.sparse as sp

    from customsnet.modeling.panel.panel import Panel

    rng = np.random.default_rng(3)
    labels = np.array([f"v{k:02d}" for k in range(15)])
    upper = np.triu(rng.random((15, 15)) < 0.2, 1)
    nets = {}
    for y in range(1, 5):
        upper = upper ^ np.triu(rng.random((15, 15)) < 0.06, 1)
        nets[y] = sp.csr_matrix((upper | upper.T).astype(float))
    panel = Panel(years=[1, 2, 3, 4], nodes={y: labels for y in nets}, networks={"nets": nets})
    return panel.save(tmp_path_factory.mktemp("small") / "panel.npz")


@pytest.mark.parametrize("command", ["gof", "predict", "degeneracy", "sensitivity"])
def test_simulating_commands_offer_jobs_and_a_scheduler(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "--jobs" in result.output and "--scheduler" in result.output


@pytest.mark.slow  # starts joblib's two worker processes
def test_gof_and_predict_run_on_two_jobs_and_quiet_hides_only_the_bars(small_panel_file, tmp_path):
    gof_args = ["gof", "--panel", str(small_panel_file), "--formula", SMALL_FORMULA, "--nsim", "3"]
    gof_args += ["--burnin", "50", "--interval", "5", "--jobs", "1", "--out", str(tmp_path / "g")]
    shown = CliRunner().invoke(main, gof_args)
    quiet = CliRunner().invoke(main, ["--quiet", *gof_args[:-4], "--jobs", "2", *gof_args[-2:]])
    for result in (shown, quiet):
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("Degree\n") and "Tie prediction" in result.stdout
    assert shown.stdout == quiet.stdout  # the same numbers on one or two jobs, with or without bars
    assert shown.stderr != "" and quiet.stderr == ""  # the bar goes to stderr, and --quiet hides it
    predict_args = ["--quiet", "predict", "--panel", str(small_panel_file), "--formula", SMALL_FORMULA]
    predict_args += ["--train", "1-3", "--test", "4", "--nsim", "3", "--sweeps", "1", "--jobs", "2"]
    result = CliRunner().invoke(main, predict_args)
    assert result.exit_code == 0, result.output
    assert "btergm-compatible" in result.stdout and result.stderr == ""
    bad = CliRunner().invoke(main, [*predict_args, "--scheduler", "nowhere"])
    assert bad.exit_code != 0 and "scheduler must be a Dask scheduler address" in bad.output
