"""``customsnet sensitivity``, ``timetrend`` and ``coefplot`` on reference case1 and a saved panel."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_support import reference_dir
from click.testing import CliRunner

from customsnet.cli import main

FORMULA = 'nets ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(cov) + absdiff("x")'


def run(args: list[str], quiet: bool = True):
    return CliRunner().invoke(main, ["--quiet", *args] if quiet else args)


def test_sensitivity_on_a_saved_panel(tmp_path):
    from customsnet.modeling.design.build import build_design
    from customsnet.modeling.estimation.fit import fit_tergm
    from customsnet.modeling.panel.reference import read_reference_panel

    panel = read_reference_panel(reference_dir("case1"))
    path = panel.save(tmp_path / "panel.npz")
    out = tmp_path / "sens"
    res = run(
        [
            "sensitivity",
            "--panel",
            str(path),
            "--formula",
            FORMULA,
            "--shares",
            "0.5",
            "--reps",
            "2",
            "--scheme",
            "per-year",
            "--bootstrap",
            "0",
            "--seed",
            "4",
            "--terms",
            "gwesp.fixed.0.5,absdiff.x",
            "--out",
            str(out),
        ]
    )
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


def test_sensitivity_keeps_the_finished_refits_when_one_share_fails(tmp_path, monkeypatch):
    """The separation LP is made to fail for every rewiring at share 0.3 (as HiGHS once did at 0.6)."""
    from customsnet.modeling.estimation import separation
    from customsnet.modeling.evaluation import sensitivity

    current = {"share": 0.0}
    rewire, recession = sensitivity.rewire_panel, separation.recession_directions

    def tracked_rewire(panel, network, share, *args, **kwargs):
        current["share"] = share
        return rewire(panel, network, share, *args, **kwargs)

    def failing_lp(*args, **kwargs):
        if current["share"] == 0.3:
            raise RuntimeError("separation LP failed: HiGHS Status 0 (injected)")
        return recession(*args, **kwargs)

    monkeypatch.setattr(sensitivity, "rewire_panel", tracked_rewire)
    monkeypatch.setattr(separation, "recession_directions", failing_lp)
    out = tmp_path / "sens"
    res = run(
        [
            "sensitivity",
            "--panel",
            str(reference_dir("case1")),
            "--shares",
            "0.1,0.3,0.5",
            "--reps",
            "2",
            "--out",
            str(out),
        ]
    )
    assert res.exit_code == 0, res.output
    assert "2 of 7 refits failed and are left out" in res.output
    assert "refit at share 0.3, repetition 0 failed" in res.output
    study = pd.read_csv(out / "sensitivity.csv")
    assert sorted(set(study["share"])) == [0.0, 0.1, 0.5]
    assert set(study.query("share == 0.5")["rep"]) == {0, 1}
    failed = pd.read_csv(out / "sensitivity_failed.csv")
    assert failed[["share", "rep"]].values.tolist() == [[0.3, 0], [0.3, 1]]
    assert failed["error"].str.contains("separation LP failed").all()
    settings = json.loads((out / "sensitivity_settings.json").read_text())
    assert [f["share"] for f in settings["failed"]] == [0.3, 0.3]
    assert (out / "sensitivity.png").exists()


def test_timetrend_and_coefplot_on_case1(tmp_path):
    case = reference_dir("case1")
    out = tmp_path / "tt"
    res = run(
        [
            "timetrend",
            "--panel",
            str(case),
            "--formula",
            FORMULA,
            "--covariates",
            "cov,x",
            "--bootstrap",
            "10",
            "--seed",
            "3",
            "--out",
            str(out),
        ],
        quiet=False,
    )
    assert res.exit_code == 0, res.output
    # Table A5: one model per covariate, each the base formula plus its own trend
    assert "+ timecov(x = cov)\n" in res.output and "+ timecov(x = absdiff_x)\n" in res.output
    assert "Bootstrapping sample size: 10, seed 3" in res.output  # the full summaries, when not quiet
    table = pd.read_csv(out / "timetrend.csv")
    assert table["term"].tolist() == [
        "edgecov.cov[[i]]",
        "edgecov.timecov1.cov[[i]]",
        "absdiff.x",
        "edgecov.timecov1.absdiff_x[[i]]",
    ]
    assert table["model"].tolist() == ["cov", "cov", "x", "x"]
    effects = pd.read_csv(out / "timetrend_effects.csv")
    assert sorted(effects["covariate"].unique()) == ["cov", "x"] and len(effects) == 2 * 10  # no memory: 10 years
    assert np.isfinite(effects[["effect", "lower", "upper"]].to_numpy()).all()
    for name in ("timetrend_effects.png", "timetrend_effects.pdf", "timetrend_fit_cov.json", "timetrend_fit_x.json"):
        assert (out / name).exists()
    res = run(
        [
            "timetrend",
            "--panel",
            str(case),
            "--formula",
            FORMULA,
            "--covariates",
            "cov,x",
            "--joint",
            "--bootstrap",
            "0",
            "--out",
            str(tmp_path / "joint"),
        ]
    )
    assert res.exit_code == 0 and "timecov(x = cov) + timecov(x = absdiff_x)" in res.output, res.output
    figure = tmp_path / "plot" / "coef.pdf"
    res = run(
        [
            "coefplot",
            str(out / "timetrend_fit_cov.json"),
            str(out / "timetrend_fit_x.json"),
            "--labels",
            "a,b",
            "--terms",
            "edgecov.cov[[i]],absdiff.x",
            "--out",
            str(figure),
        ]
    )
    assert res.exit_code == 0, res.output
    # the suffix decides: one PDF, nothing else
    assert figure.read_bytes()[:5] == b"%PDF-" and sorted(p.name for p in figure.parent.iterdir()) == ["coef.pdf"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["sensitivity", "--out", "x"], "--formula is required"),
        (["sensitivity", "--formula", "nets ~ edges", "--out", "x"], "--years is required when the panel is exported"),
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
