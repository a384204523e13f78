"""Regression tables (Table A3) and the ``customsnet table`` command: LaTeX, Markdown, CSV, HTML."""

from __future__ import annotations

import io
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from customsnet.cli import main
from customsnet.report.tables import regression_table


def _table(study_fits, **kwargs):
    fits, _ = study_fits
    return regression_table({k: fits[k] for k in ("Model 1", "Model 2", "Model 3", "Formation")}, **kwargs)


def test_markdown_puts_models_side_by_side_with_statistics(study_fits):
    text = _table(study_fits).to_markdown()
    lines = text.splitlines()
    assert lines[0] == "|  | Model 1 | Model 2 | Model 3 | Formation |"
    rows = {line.split(" | ")[0].strip("| "): line for line in lines if line.startswith("| ") and line[2] != " "}
    for name in (
        "edges",
        "gwesp.fixed.0.5",
        "edges - edgecov.memory[[i]]",
        "Dyads",
        "Time steps",
        "Log pseudo-likelihood",
        "Pseudo-AIC",
        "Pseudo-BIC",
        "Identification",
    ):
        assert name in rows, name
    cells = [c.strip() for c in rows["edges"].strip("|").split("|")]
    # memory separates edges in Models 1 and 3; the formation intercept is NOT in the edges row
    assert cells[1] == "n.i." and cells[3] == "n.i." and cells[4] == ""
    formation = [c.strip() for c in rows["edges - edgecov.memory[[i]]"].strip("|").split("|")][4]
    fits, _ = study_fits
    assert formation.startswith(f"{fits['Formation'].params['edges']:.3f}")
    assert "15,930" in rows["Dyads"] and "Bootstrap standard errors in parentheses" in text


def test_se_and_stars_follow_the_interval_rule(study_fits):
    fits, _ = study_fits
    table = _table(study_fits)
    numbers = table.numbers.set_index(["model", "term"])
    gwdeg = numbers.loc[("Model 3", "gwdeg.fixed.0.1")]
    assert gwdeg["lower"] < 0 < gwdeg["upper"] and gwdeg["stars"] == ""
    cov = numbers.loc[("Model 3", "edgecov.cov[[i]]")]
    strict = fits["Model 3"].tidy(0.999).set_index("term").loc["edgecov.cov[[i]]"]
    assert cov["stars"] == ("***" if strict["lower"] > 0 or strict["upper"] < 0 else cov["stars"])
    assert cov["std_error"] == pytest.approx(fits["Model 3"].bse["edgecov.cov[[i]]"])
    only_95 = _table(study_fits, stars=[0.05]).numbers
    assert set(only_95["stars"]) <= {"", "*"}
    ci = _table(study_fits, interval="ci").to_markdown()
    assert "[" in ci and "95% bootstrap percentile intervals in brackets" in ci


def test_csv_is_numeric_and_wide(study_fits):
    frame = pd.read_csv(io.StringIO(_table(study_fits).to_csv()))
    assert frame.columns[0] == "term"
    assert {"Model 1: estimate", "Model 2: std_error", "Model 3: stars", "Formation: estimate"} <= set(frame.columns)
    row = frame.set_index("term").loc["absdiff.x"]
    fits, _ = study_fits
    assert float(row["Model 2: estimate"]) == pytest.approx(fits["Model 2"].params["absdiff.x"], rel=1e-5)
    assert float(frame.set_index("term").loc["Dyads", "Model 1: estimate"]) == fits["Model 1"].nobs


def test_latex_compiles_or_is_well_formed(study_fits, tmp_path):
    doc = _table(study_fits).to_latex(caption="Models 1-3 and formation (Table A3)", label="tab:a3", standalone=True)
    assert doc.count("\\begin{tabular}") == doc.count("\\end{tabular}") == 1
    assert "edgecov.memory{[}{[}i{]}{]}" in doc and "$^{***}$" in doc
    # every row has as many cells as columns
    body = doc.split("\\hline", 2)[2].split("\\end{tabular}")[0]
    for line in body.splitlines():
        if line.endswith("\\\\"):
            assert line.count("&") == 4, line
    engine = shutil.which("pdflatex")
    if engine is None:
        return  # structural checks only (apt-get install texlive-latex-base to compile)
    (tmp_path / "t.tex").write_text(doc)
    run = subprocess.run(
        [engine, "-interaction=nonstopmode", "-halt-on-error", "t.tex"],
        cwd=tmp_path,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "t.pdf").stat().st_size > 1000


def test_html_escapes_and_keeps_two_lines_per_cell(study_fits):
    html = _table(study_fits).to_html(caption="Table A3")
    assert html.startswith("<table class='regression'><caption>Table A3</caption>")
    assert "<br><span class='se'>(" in html and "edges - edgecov.memory[[i]]" in html


def test_table_command_formats_and_errors(study_fits, tmp_path):
    _, folder = study_fits
    paths = [str(folder / f"{n}.json") for n in ("Model_1", "Model_2", "Model_3", "Formation")]
    runner = CliRunner()
    res = runner.invoke(main, ["table", *paths])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("|  | Model 1 | Model 2 | Model 3 | Formation |")
    for fmt, suffix in (("latex", ".tex"), ("csv", ".csv"), ("html", ".html"), ("markdown", ".md")):
        out = tmp_path / f"a3{suffix}"
        res = runner.invoke(main, ["table", *paths, "--ci", "--stars", "0.05", "--out", str(out)])
        assert res.exit_code == 0 and f"({fmt}, 4 models)" in res.output, res.output
    assert "\\begin{tabular}{lrrrr}" in (tmp_path / "a3.tex").read_text()
    res = runner.invoke(main, ["table", *paths, "--stars", "5"])
    assert res.exit_code != 0 and "between 0 and 1" in res.output
    res = runner.invoke(main, ["table", *paths[:2], "--labels", "a"])
    assert res.exit_code != 0 and "one distinct label per fit" in res.output


def test_regression_table_checks_its_arguments(study_fits):
    fits, _ = study_fits
    with pytest.raises(ValueError, match="at least one fit"):
        regression_table({})
    with pytest.raises(ValueError, match="'se', 'ci' or 'mixed'"):
        regression_table(fits, interval="sd")
    assert np.isfinite(_table(study_fits).numbers["estimate"]).any()
