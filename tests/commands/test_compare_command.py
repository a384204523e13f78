"""``customsnet compare`` (MPLE vs MCMC-MLE side by side) and ``customsnet table`` on its saved fits.

A tiny panel (16 nodes, 3 years), 20 bootstrap replicates and a few hundred MCMC draws: the
numbers are not meant to be good, only to be the ones the saved fits hold, in the right cells.
"""

from __future__ import annotations

import io
import math
import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from click.testing import CliRunner

from customsnet.cli import main
from customsnet.modeling.estimation.mcmle_result import MCMLEResult
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.results import FitResult

FORMULA = 'nets ~ edges + gwesp(0.5, fixed = TRUE) + edgecov(cov) + memory(type = "stability")'
MCMC = ["--mcmc-samplesize", "128", "--mcmc-burnin", "600", "--mcmc-interval", "40", "--mcmc-chains", "2"]


def _panel(seed: int = 2, n: int = 16, years: int = 3) -> Panel:
    """Ties drawn dyad by dyad from edges + a dyadic covariate + stability memory."""
    rng = np.random.default_rng(seed)
    nets, covs = {}, {}
    prev = np.zeros((n, n), dtype=bool)
    for y in range(1, years + 1):
        c = rng.normal(size=(n, n))
        c = (c + c.T) / 2
        np.fill_diagonal(c, 0.0)
        a = np.triu(rng.random((n, n)) < 1 / (1 + np.exp(-(-1.0 + 0.9 * c + 0.8 * (2 * prev - 1)))), 1)
        a = a | a.T
        nets[y], covs[y], prev = sp.csr_matrix(a.astype(float)), c, a
    labels = np.array([str(i) for i in range(n)])
    return Panel(
        years=list(range(1, years + 1)),
        nodes={y: labels for y in nets},
        networks={"nets": nets},
        dyad_covs={"cov": covs},
    )


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """One `customsnet compare` run: (its CLI result, the output directory, the panel file)."""
    folder = tmp_path_factory.mktemp("compare")
    panel = _panel().save(folder / "panel.npz")
    out = folder / "cmp"
    args = ["--panel", str(panel), "--formula", FORMULA, "--bootstrap", "20", "--seed", "4", "--jobs", "1"]
    res = CliRunner().invoke(main, ["--quiet", "compare", *args, *MCMC, "--caption", "Robustness", "--out", str(out)])
    return res, out, panel


def _cells(markdown: str) -> dict[str, tuple[list[str], list[str]]]:
    """term -> (estimate cells, cells of the line below) of a markdown regression table."""
    rows = [[c.strip().replace("\\*", "*") for c in line.strip("|").split("|")] for line in markdown.splitlines()]
    rows = [r for r in rows if len(r) > 1 and not r[0].startswith(":--")]
    out = {}
    for k, row in enumerate(rows[1:], start=1):
        if row[0] and k + 1 < len(rows) and rows[k + 1][0] == "":
            out[row[0]] = (row[1:], rows[k + 1][1:])
    return out


def test_compare_saves_both_fits_and_the_table_in_every_format(compared):
    res, out, _ = compared
    assert res.exit_code == 0, res.output
    assert res.output.startswith("|  | MPLE | MCMC-MLE |")
    mple, mcmle = FitResult.load(out / "mple" / "fit.json"), FitResult.load(out / "mcmle" / "fit.json")
    assert isinstance(mcmle, MCMLEResult) and not isinstance(mple, MCMLEResult)
    assert (mple.meta["model"], mcmle.meta["model"]) == ("MPLE", "MCMC-MLE")
    assert mple.R == 20 and mple.seed == mcmle.seed == 4 and mple.names == mcmle.names
    assert len(mcmle.final_sample) == 128
    for suffix in (".md", ".tex", ".html", ".csv"):
        assert (out / f"compare{suffix}").stat().st_size > 0
    assert (out / "compare.md").read_text() in res.output
    assert "customsnet table" in res.output and "--mixed" in res.output


def test_mixed_table_puts_bootstrap_intervals_next_to_mcmc_standard_errors(compared):
    res, out, _ = compared
    mple, mcmle = FitResult.load(out / "mple" / "fit.json"), FitResult.load(out / "mcmle" / "fit.json")
    cells = _cells((out / "compare.md").read_text())
    ci = mple.conf_int(0.95)
    se = mcmle.std_errors
    for term in mple.names:
        (est_mple, est_mcmc), (below_mple, below_mcmc) = cells[term]
        assert est_mple.rstrip("*") == f"{mple.params[term]:.3f}"
        assert below_mple == f"[{ci.loc[term].iloc[0]:.3f}; {ci.loc[term].iloc[1]:.3f}]"
        assert est_mcmc.rstrip("*") == f"{mcmle.params[term]:.3f}"
        assert below_mcmc == f"({se[term]:.3f})"
        # MCMC-MLE stars: one per level whose Wald interval excludes 0, i.e. two-sided p < level
        p = math.erfc(abs(mcmle.params[term] / se[term]) / math.sqrt(2))
        assert len(est_mcmc) - len(est_mcmc.rstrip("*")) == sum(p < a for a in (0.05, 0.01, 0.001)), (term, p)
    note = (out / "compare.md").read_text().split("\n\n")[-1]
    assert "MPLE: 95% bootstrap percentile intervals in brackets" in note
    assert "MCMC-MLE: standard errors including the MCMC error in parentheses" in note
    assert "Bootstrap replications | 20 |  |" in res.output and "MCMC-MLE converged" in res.output


def test_mixed_csv_latex_and_html_hold_the_same_numbers(compared):
    _, out, _ = compared
    mple, mcmle = FitResult.load(out / "mple" / "fit.json"), FitResult.load(out / "mcmle" / "fit.json")
    frame = pd.read_csv(io.StringIO((out / "compare.csv").read_text())).set_index("term")
    terms = mple.names
    np.testing.assert_allclose(frame.loc[terms, "MCMC-MLE: std_error"], mcmle.std_errors[terms], rtol=1e-5)
    np.testing.assert_allclose(frame.loc[terms, "MPLE: lower"], mple.conf_int().loc[terms].iloc[:, 0], rtol=1e-5)
    np.testing.assert_allclose(frame.loc[terms, "MPLE: std_error"], mple.bse[terms], rtol=1e-5)
    latex = (out / "compare.tex").read_text()
    assert latex.count("\\begin{tabular}{lrr}") == 1 and "\\caption{Robustness}" in latex
    body = latex.split("\\hline", 2)[2].split("\\end{tabular}")[0]
    assert all(line.count("&") == 2 for line in body.splitlines() if line.strip() and line != "\\hline")
    assert f"({mcmle.std_errors['edges']:.3f})" in latex and "two-sided p \\textless{} 0.05" in latex
    html = (out / "compare.html").read_text()
    assert html.startswith("<table class='regression'><caption>Robustness</caption>")
    assert f"<span class='se'>({mcmle.std_errors['edges']:.3f})</span>" in html


def test_mcmle_tidy_carries_its_standard_errors_and_wald_intervals(compared):
    _, out, _ = compared
    mcmle = FitResult.load(out / "mcmle" / "fit.json")
    tidy = mcmle.tidy(0.9).set_index("term")
    np.testing.assert_array_equal(tidy["std_error"], mcmle.std_errors)
    np.testing.assert_array_equal(tidy[["lower", "upper"]].to_numpy(), mcmle.conf_int(0.9).to_numpy())
    assert np.all(tidy["lower"] < tidy["estimate"]) and np.all(tidy["estimate"] < tidy["upper"])
    np.testing.assert_array_equal(mcmle.cov_params().to_numpy(), mcmle.covariance)


def test_table_combines_the_saved_fits_with_another_fit(compared, tmp_path):
    res, out, panel = compared
    assert res.exit_code == 0, res.output
    runner = CliRunner()
    other = tmp_path / "no_memory"
    fitted = runner.invoke(
        main,
        ["--quiet", "fit", "--panel", str(panel), "--formula", FORMULA.rsplit(" + ", 1)[0]]
        + ["--estimator", "mple", "--bootstrap", "10", "--jobs", "1", "--out", str(other)],
    )
    assert fitted.exit_code == 0, fitted.output
    paths = [str(out / "mple" / "fit.json"), str(out / "mcmle" / "fit.json"), str(other / "fit.json")]
    mcmle = FitResult.load(paths[1])
    se = runner.invoke(main, ["table", *paths])
    assert se.exit_code == 0, se.output
    assert se.output.startswith("|  | MPLE | MCMC-MLE | no_memory |")
    cells = _cells(se.output)
    assert cells["edges"][1][1] == f"({mcmle.std_errors['edges']:.3f})"
    assert cells["edges"][1][0] == f"({FitResult.load(paths[0]).bse['edges']:.3f})"
    assert cells["edgecov.memory[[i]]"][0][2] == ""  # not in the third model
    assert "MPLE, no_memory: bootstrap standard errors in parentheses" in se.output
    ci = runner.invoke(main, ["table", *paths, "--ci", "--level", "0.9", "--out", str(tmp_path / "t.tex")])
    assert ci.exit_code == 0 and "(latex, 3 models)" in ci.output, ci.output
    tex = (tmp_path / "t.tex").read_text()
    lo, hi = mcmle.conf_int(0.9).loc["edges"]
    assert f"{{[}}{lo:.3f}; {hi:.3f}{{]}}" in tex and "90\\% Wald intervals" in tex
    mixed = runner.invoke(main, ["table", *paths, "--mixed"])
    assert mixed.exit_code == 0 and re.search(r"\| \[[-0-9.]+; [-0-9.]+\] \| \([0-9.]+\) \| \[", mixed.output)


@pytest.mark.parametrize(
    ("estimators", "message"),
    [("mple,foo", "unknown: foo"), ("mple,mple", "each estimator once"), (",", "expected a comma list")],
)
def test_compare_rejects_bad_estimator_lists(tmp_path, estimators, message):
    res = CliRunner().invoke(main, ["compare", "--panel", ".", "--estimators", estimators, "--out", str(tmp_path)])
    assert res.exit_code != 0 and message in res.output, res.output
