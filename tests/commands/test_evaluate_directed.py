"""`customsnet predict | gof` on a directed panel file (click's test runner, no Neo4j)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from customsnet.cli import main

# the small directed panel of the modeling tests (tests/modeling/directed_panels.py)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modeling"))

from directed_panels import small_directed_panel  # noqa: E402

N = 10
FORMULA = "friendship ~ edges + mutual + edgecov(primary)"


@pytest.mark.slow  # two CLI runs with a fit, simulations and four figures
def test_predict_and_gof_on_a_directed_panel(tmp_path):
    path = small_directed_panel(n=N).save(tmp_path / "directed.npz")
    out = tmp_path / "pred"
    result = CliRunner().invoke(
        main,
        ["predict", "--panel", str(path), "--train", "1-2", "--test", "3", "--formula", FORMULA]
        + ["--nsim", "6", "--method", "conditional", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "mutual" in result.output and "honest (conditional" in result.output
    metrics = pd.read_csv(out / "prediction_metrics.csv")
    assert set(metrics["dyads"]) == {N * (N - 1)}  # every ordered pair i != j
    scores = pd.read_csv(out / "scores_model_honest_conditional.csv")
    assert len(scores) == N * (N - 1) and not (scores["i"] == scores["j"]).any()

    gof_out = tmp_path / "gof"
    result = CliRunner().invoke(
        main,
        ["gof", "--panel", str(path), "--formula", FORMULA, "--nsim", "5", "--burnin", "200"]
        + ["--interval", "20", "--out", str(gof_out)],
    )
    assert result.exit_code == 0, result.output
    for label in ("Indegree", "Outdegree", "Edge-wise shared partners", "Geodesic distances", "auc.roc"):
        assert label in result.output
    dsp = pd.read_csv(gof_out / "gof_dsp.csv", index_col=0)
    assert dsp["obs"].sum() == 3 * N * (N - 1)  # three years, every ordered pair once
    assert (gof_out / "gof_idegree.csv").exists() and (gof_out / "gof.png").exists()
