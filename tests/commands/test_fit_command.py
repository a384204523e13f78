"""``customsnet fit``: reference directory or saved panel in, summary out, JSON + CSV saved."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cli_support import coef_table, reference_dir
from click.testing import CliRunner

from customsnet.cli import main


def test_fit_reference_case_btergm(tmp_path):
    case = reference_dir("case1_dissolve")
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main,
        [
            "fit",
            "--panel",
            str(case),
            "--estimator",
            "btergm",
            "--bootstrap",
            "5",
            "--seed",
            "3",
            "--jobs",
            "1",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Time steps: 9" in res.output and "Bootstrapping sample size: 5, seed 3" in res.output
    saved = json.loads((out / "fit.json").read_text())
    assert saved["estimator"] == "btergm" and saved["seed"] == 3
    table = pd.read_csv(out / "fit.csv", index_col="term")
    ref = coef_table("case1_dissolve")["btergm_speedglm"]
    np.testing.assert_allclose(table.loc[ref.index, "Estimate"], ref, atol=1e-6)


def test_fit_saved_panel_with_years(tmp_path):
    from customsnet.modeling.panel.reference import REFERENCE_FORMULA, read_reference_panel

    panel = read_reference_panel(reference_dir("case1_dissolve"))
    path = panel.save(tmp_path / "panel.npz")
    res = CliRunner().invoke(
        main,
        [
            "fit",
            "--panel",
            str(path),
            "--formula",
            REFERENCE_FORMULA,
            "--years",
            "3-10",
            "--bootstrap",
            "0",
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Time steps: 7 (4-10)" in res.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--out", "x"], "--formula is required with a panel file or the panel exported from the graph"),
        (["--out", "x", "--years", "1990-99999999"], "99999999 is not a year between 1 and 9999"),
        (["--out", "x", "--years", "2000-1990", "--panel", "."], "FIRST-LAST"),
    ],
)
def test_fit_errors_are_actionable(tmp_path, args, message):
    res = CliRunner().invoke(main, ["fit", *args])
    assert res.exit_code != 0
    assert message in res.output


def test_fit_with_r_indices_reproduces_btergm_confint(tmp_path):
    case = reference_dir("case1_dissolve")
    out = tmp_path / "o"
    res = CliRunner().invoke(
        main,
        [
            "fit",
            "--panel",
            str(case),
            "--estimator",
            "btergm",
            "--boot-indices",
            str(case / "boot_indices.csv"),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "fit.csv", index_col="term")
    ref = pd.read_csv(case / "confint.csv", index_col=0)
    np.testing.assert_allclose(table.loc[ref.index, ref.columns].to_numpy(), ref.to_numpy(), rtol=0, atol=1e-6)


@pytest.mark.parametrize("naming, name", [(None, "gwesp.fixed.0.5"), ("ergm4.5", "gwesp.OTP.fixed.0.5")])
def test_fit_names_directed_gwesp_as_ergm_4_4_unless_asked(tmp_path, naming, name):
    from customsnet.modeling.simulation.knecht import knecht_like_panel

    path = knecht_like_panel(seed=1, n=12, waves=3).save(tmp_path / "panel.npz")
    extra = [] if naming is None else ["--naming", naming]
    res = CliRunner().invoke(
        main,
        [
            "fit",
            "--panel",
            str(path),
            "--formula",
            "friendship ~ edges + gwesp(0.5, fixed = TRUE)",
            "--bootstrap",
            "0",
            *extra,
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "o" / "fit.csv", index_col="term")
    assert list(table.index) == ["edges", name]


def test_fit_with_offset_coef(tmp_path):
    from customsnet.modeling.simulation.knecht import knecht_like_panel

    path = knecht_like_panel(seed=1, n=12, waves=3).save(tmp_path / "panel.npz")
    args = ["fit", "--panel", str(path), "--formula", "friendship ~ edges + offset(edgecov(primary))"]
    args += ["--bootstrap", "0", "--out", str(tmp_path / "o")]
    res = CliRunner().invoke(main, [*args, "--offset-coef", "0.5"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "o" / "fit.csv", index_col="term")
    assert table.loc["offset(edgecov.primary[[i]])", "Estimate"] == 0.5
    assert "fixed (offset)" in res.output
    missing = CliRunner().invoke(main, args)
    assert missing.exit_code != 0 and "offset_coef" in missing.output
    bad = CliRunner().invoke(main, [*args, "--offset-coef", "big"])
    assert bad.exit_code != 0 and "'big' is not a number" in bad.output


def test_fit_offset_composition_flag(tmp_path):
    from customsnet.modeling.simulation.knecht import knecht_like_panel

    panel = knecht_like_panel(seed=2, n=10, waves=3)
    # one pupil leaves after the first wave: dropped by default, a structural zero with the flag
    panel.nodes[panel.years[1]] = panel.nodes[panel.years[1]][1:]
    for store in (panel.networks, panel.dyad_covs):
        for by_year in store.values():
            by_year[panel.years[1]] = by_year[panel.years[1]][1:, 1:]
    for by_year in panel.node_attrs.values():
        by_year[panel.years[1]] = by_year[panel.years[1]][1:]
    path = panel.save(tmp_path / "panel.npz")
    formula = "friendship ~ edges + edgecov(primary) + memory(type = 'stability')"
    outs = []
    for extra in ([], ["--offset-composition"]):
        out = tmp_path / ("o" + str(len(extra)))
        res = CliRunner().invoke(
            main,
            ["fit", "--panel", str(path), "--formula", formula, "--estimator", "btergm", "--bootstrap", "0"]
            + extra
            + ["--out", str(out)],
        )
        assert res.exit_code == 0, res.output
        outs.append(json.loads((out / "fit.json").read_text()))
    # dyad-independent terms: the same estimates and nobs either way (btergm's theory)
    np.testing.assert_allclose(outs[1]["estimates"], outs[0]["estimates"], atol=1e-10)
    assert outs[1]["nobs_btergm"] == outs[0]["nobs_btergm"]


def test_fit_shows_bootstrap_counts_on_stderr_and_quiet_hides_only_them(tmp_path):
    case = reference_dir("case1_dissolve")
    args = ["fit", "--panel", str(case), "--estimator", "btergm", "--bootstrap", "8", "--seed", "3", "--jobs", "1"]
    shown = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "shown")])
    quiet = CliRunner().invoke(main, ["--quiet", *args, "--out", str(tmp_path / "quiet")])
    assert shown.exit_code == 0 and quiet.exit_code == 0, shown.output + quiet.output
    # the bar's final state (stderr is no terminal here): description, count, elapsed, time left
    assert any(
        line.startswith("bootstrap") and " 8/8 " in line and "left" in line for line in shown.stderr.splitlines()
    )
    assert "8/8" not in quiet.stderr and "bootstrap" not in quiet.stderr
    # the results table is printed either way, and the same
    assert "Bootstrapping sample size: 8, seed 3" in quiet.stdout
    assert quiet.stdout.replace("quiet", "shown") == shown.stdout
