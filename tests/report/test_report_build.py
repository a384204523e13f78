"""The HTML report from a fixture run directory (no Neo4j, no refitting): a real run has no synthetic parts."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from customsnet.report.build import build_report, prediction_table, prediction_text


@pytest.fixture(scope="module")
def real_run_dir(study_fits, tmp_path_factory):
    fits, folder = study_fits
    run = tmp_path_factory.mktemp("run-20260101-000000")
    (run / "fits").mkdir()
    for name in fits:
        for suffix in (".json", ".csv"):
            src = folder / f"{name.replace(' ', '_')}{suffix}"
            (run / "fits" / src.name).write_bytes(src.read_bytes())
    (run / "figures").mkdir()
    from customsnet.modeling.evaluation.plots import coefficient_plot

    coefficient_plot(fits, run / "figures" / "coefficients")
    pd.DataFrame(
        [
            {
                "label": "Model 3",
                "mode": "btergm",
                "year": 10,
                "btergm auc.roc": 0.99,
                "btergm auc.pr": 0.9,
                "roc_auc": 0.99,
                "average_precision": 0.88,
                "new ties: roc_auc": 0.95,
                "new ties: btergm auc.pr": 0.3,
                "new ties: average_precision": 0.25,
                "new ties": 12,
                "dyads": 4950,
            },
            {
                "label": "Model 3",
                "mode": "honest:simulate",
                "year": 10,
                "btergm auc.roc": 0.9,
                "btergm auc.pr": 0.6,
                "roc_auc": 0.9,
                "average_precision": 0.55,
                "new ties: roc_auc": 0.7,
                "new ties: btergm auc.pr": 0.05,
                "new ties: average_precision": 0.04,
                "new ties": 12,
                "dyads": 4950,
            },
        ]
    ).to_csv(run / "prediction.csv", index=False)
    summary = {
        "run_id": run.name,
        "synthetic": False,
        "formulas": {"Model 3": fits["Model 3"].formula},
        "ties": {"2": 10, "3": 12},
        "n_nodes": {"2": 100, "3": 100},
        "settings": {"train": [2, 9], "test_year": 10},
        "interpretation": {},
        "truth": {},
    }
    (run / "run.json").write_text(json.dumps(summary))
    return run


def test_real_run_report_has_the_study_sections_and_no_synthetic_parts(real_run_dir, tmp_path):
    html = build_report(real_run_dir, tmp_path / "index.html").read_text(encoding="utf-8")
    for anchor in ("data", "table-a3", "figure-7", "prediction", "glossary"):
        assert f"<section id='{anchor}'>" in html
    assert "SYNTHETIC" not in html and "true value" not in html and "recovery" not in html
    assert "<table class='regression'>" in html and "edges - edgecov.memory[[i]]" in html
    assert "Log pseudo-likelihood" in html and "data:image/png;base64," in html
    assert "auc.pr (btergm)" in html  # the glossary explains btergm's metric names


def test_prediction_table_has_plain_names_and_says_the_difference(real_run_dir):
    frame = pd.read_csv(real_run_dir / "prediction.csv")
    table = prediction_table(frame)
    assert list(table.columns[:3]) == ["model", "method", "ROC-AUC, all dyads"]
    assert "btergm auc.roc" not in table.columns  # equals ROC-AUC: shown once
    assert table["method"].tolist() == ["btergm recipe", "honest (simulate)"]
    text = prediction_text(frame)
    assert "btergm recipe reaches ROC-AUC 0.990" in text and "0.950 against 0.700" in text
