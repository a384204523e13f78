"""``customsnet sensitivity``, ``timetrend`` and ``coefplot`` on reference case1 and a saved panel."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from customsnet.cli import main

from reference_rows import reference_dir

FORMULA = 'nets ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(cov) + absdiff("x")'


def run(args: list[str], quiet: bool = True):
    return CliRunner().invoke(main, ["--quiet", *args] if quiet else args)


def test_sensitivity_on_a_saved_panel(tmp_path):
    from customsnet.modeling.build import build_design
    from customsnet.modeling.fit import fit_tergm
    from customsnet.modeling.reference import read_reference_panel

    panel = read_reference_panel(reference_dir("case1"))
    path = panel.save(tmp_path / "panel.npz")
    out = tmp_path / "sens"
    res = run(["sensitivity", "--panel", str(path), "--formula", FORMULA, "--shares", "0.5", "--reps", "2",
               "--scheme", "per-year", "--bootstrap", "0", "--seed", "4", "--terms", "gwesp.fixed.0.5,absdiff.x",
               "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Sensitivity to rewired ties (per-year, estimator mple, R = 0, seed 4)" in res.output
    study = pd.read_csv(out / "sensitivity.csv")
    assert list(study.columns) == ["share", "rep", "term", "estimate", "lower", "upper"]
    assert len(study) == 2 * (1 + 2) and set(study["term"]) == {"gwesp.fixed.0.5", "absdiff.x"}
    base = study[study["share"] == 0].set_index("term")["estimate"]
    direct = fit_tergm(build_design(panel, FORMULA), bootstrap=0).params
    assert base["gwesp.fixed.0.5"] == pytest.approx(direct["gwesp.fixed.0.5"], rel=1e-12)
    settings = json.loads((out / "sensitivity_settings.json").read_text())
    assert settings["seed"] == 4 and settings["scheme"] == "per-year" and settings["reps"] == 2
    summary = pd.read_csv(out / "sensitivity_summary.csv")
    assert summary.query("share == 0.5")["reps"].tolist() == [2, 2]
    for name in ("sensitivity.png", "sensitivity.pdf"):
        assert (out / name).stat().st_size > 5000


def test_timetrend_and_coefplot_on_case1(tmp_path):
    case = reference_dir("case1")
    out = tmp_path / "tt"
    res = run(["timetrend", "--panel", str(case), "--formula", FORMULA, "--covariates", "cov,x",
               "--bootstrap", "10", "--seed", "3", "--out", str(out)], quiet=False)
    assert res.exit_code == 0, res.output
    # Table A5: one model per covariate, each the base formula plus its own trend
    assert "+ timecov(x = cov)\n" in res.output and "+ timecov(x = absdiff_x)\n" in res.output
    assert "Bootstrapping sample size: 10, seed 3" in res.output  # the full summaries, when not quiet
    table = pd.read_csv(out / "timetrend.csv")
    assert table["term"].tolist() == ["edgecov.cov[[i]]", "edgecov.timecov1.cov[[i]]", "absdiff.x",
                                      "edgecov.timecov1.absdiff_x[[i]]"]
    assert table["model"].tolist() == ["cov", "cov", "x", "x"]
    effects = pd.read_csv(out / "timetrend_effects.csv")
    assert sorted(effects["covariate"].unique()) == ["cov", "x"] and len(effects) == 2 * 10  # no memory: 10 years
    assert np.isfinite(effects[["effect", "lower", "upper"]].to_numpy()).all()
    for name in ("timetrend_effects.png", "timetrend_effects.pdf", "timetrend_fit_cov.json", "timetrend_fit_x.json"):
        assert (out / name).exists()
    res = run(["timetrend", "--panel", str(case), "--formula", FORMULA, "--covariates", "cov,x", "--joint",
               "--bootstrap", "0", "--out", str(tmp_path / "joint")])
    assert res.exit_code == 0 and "timecov(x = cov) + timecov(x = absdiff_x)" in res.output, res.output
    figure = tmp_path / "plot" / "coef.pdf"
    res = run(["coefplot", str(out / "timetrend_fit_cov.json"), str(out / "timetrend_fit_x.json"), "--labels", "a,b",
               "--terms", "edgecov.cov[[i]],absdiff.x", "--out", str(figure)])
    assert res.exit_code == 0, res.output
    # the suffix decides: one PDF, nothing else
    assert figure.read_bytes()[:5] == b"%PDF-" and sorted(p.name for p in figure.parent.iterdir()) == ["coef.pdf"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["sensitivity", "--out", "x"], "no --panel given"),
        (["sensitivity", "--panel", "CASE", "--shares", "0.5,1.5", "--out", "x"], "between 0 and 1"),
        (["sensitivity", "--panel", "CASE", "--shares", "half", "--out", "x"], "comma list of shares"),
        (["timetrend", "--panel", "CASE", "--covariates", "gdp", "--out", "x"], "neither a dyadic covariate"),
    ],
)
def test_clear_errors(tmp_path, args, message):
    args = [str(reference_dir("case1")) if a == "CASE" else str(tmp_path / a) if a == "x" else a for a in args]
    res = run(args)
    assert res.exit_code != 0
    assert message in res.output
