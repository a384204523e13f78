"""btergm's rocpr reproduced on R's own scores and curves (reference case1 / case1_dissolve)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.metrics import roc_curve as sk_roc_curve

from customsnet.modeling.evaluation.rocpr import (
    RocrPrediction,
    aucpr_btergm,
    pr_curve,
    random_graph_scores,
    roc_auc,
    roc_curve,
    rocpr,
    rocr_prediction,
    simulation_scores,
    standard_metrics,
)

REF = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "btergm"
CASES = ["case1", "case1_dissolve"]
# README's new-tie numbers (3 decimals): ROC-AUC, PR-AUC
README_NEW_TIES = {"case1": (0.591, 0.044), "case1_dissolve": (0.654, 0.078)}


def case_dir(case: str) -> Path:
    d = REF / case
    if not d.is_dir():
        pytest.skip(f"reference data not found at {d}")
    return d


def summary_numbers(case: str) -> dict[str, float]:
    """The AUCs in gof_summary.txt: the original gof run and the hand re-run (seed 7)."""
    text = (case_dir(case) / "gof_summary.txt").read_text()
    gof_line = next(line for line in text.splitlines() if line.startswith("auc.roc"))
    rerun_line = next(line for line in text.splitlines() if line.startswith("hand re-run"))
    out = {k: float(v) for k, v in re.findall(r"(auc\.\w+(?:\.rgraph)?) ([0-9.e-]+)", gof_line)}
    rerun = dict(re.findall(r"(auc\.\w+) ([0-9.e-]+)", rerun_line))
    out["rerun.auc.roc"] = float(rerun["auc.roc"])
    out["rerun.auc.pr"] = float(rerun["auc.pr"])
    return out


@pytest.mark.parametrize("case", CASES)
def test_auc_from_r_scores_match_btergm_exactly(case):
    # gof_scores.csv holds the scores of the hand re-run; its AUCs are on that line of the summary
    scores = pd.read_csv(case_dir(case) / "gof_scores.csv")
    ref = summary_numbers(case)
    result = rocpr(scores["score"], scores["y"])
    assert result.auc_roc == pytest.approx(ref["rerun.auc.roc"], abs=1e-12)
    assert result.auc_pr == pytest.approx(ref["rerun.auc.pr"], abs=1e-12)
    # the ROC-AUC is the plain Mann–Whitney statistic; scikit-learn must agree
    assert result.auc_roc == pytest.approx(roc_auc_score(scores["y"], scores["score"]), abs=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_curves_and_aucs_of_the_original_gof_run(case):
    # The curve files belong to the original gof run; rebuild ROCR's counts from the ROC curve and
    # check that PR curve, ROC-AUC and the quirky PR-AUC all come out as R printed them.
    d = case_dir(case)
    roc_ref = pd.read_csv(d / "gof_roc_curve.csv")
    pr_ref = pd.read_csv(d / "gof_pr_curve.csv")
    y = pd.read_csv(d / "gof_scores.csv")["y"]
    n_pos, n_neg = int(y.sum()), int((1 - y).sum())
    pred = RocrPrediction(
        cutoffs=roc_ref["cutoff"].to_numpy(),
        tp=np.round(roc_ref["tpr"].to_numpy() * n_pos),
        fp=np.round(roc_ref["fpr"].to_numpy() * n_neg),
        n_pos=n_pos,
        n_neg=n_neg,
    )
    ref = summary_numbers(case)
    np.testing.assert_allclose(
        roc_curve(pred)[["fpr", "tpr"]].to_numpy(), roc_ref[["fpr", "tpr"]].to_numpy(), atol=1e-15
    )
    np.testing.assert_allclose(pr_curve(pred).to_numpy(), pr_ref.to_numpy(), atol=1e-15)
    assert roc_auc(pred) == pytest.approx(ref["auc.roc"], abs=1e-12)
    assert aucpr_btergm(pred) == pytest.approx(ref["auc.pr"], abs=1e-12)


@pytest.mark.parametrize("case", CASES)
def test_curve_points_from_scores_follow_rocr(case):
    scores = pd.read_csv(case_dir(case) / "gof_scores.csv")
    pred = rocr_prediction(scores["score"], scores["y"])
    roc = roc_curve(pred)
    # one point per distinct score plus the (0, 0) point at +Inf
    assert len(roc) == scores["score"].nunique() + 1
    assert roc["cutoff"].iloc[0] == np.inf and roc["fpr"].iloc[0] == 0 and roc["tpr"].iloc[0] == 0
    fpr, tpr, thr = sk_roc_curve(scores["y"], scores["score"], drop_intermediate=False)
    np.testing.assert_allclose(roc["fpr"], fpr, atol=1e-15)
    np.testing.assert_allclose(roc["tpr"], tpr, atol=1e-15)
    np.testing.assert_array_equal(roc["cutoff"].to_numpy()[1:], thr[1:])
    pr = pr_curve(pred)
    assert pr["precision"].iloc[0] == 1.0  # btergm's imputation of the 0/0 point
    np.testing.assert_allclose(pr["precision"].iloc[1:], pred.tp[1:] / (pred.tp[1:] + pred.fp[1:]))


def test_aucpr_inserts_at_original_index_into_grown_lists():
    # tp = [0, 3, 6], fp = [0, 1, 4]: two gaps of 3 true positives each, so two insertions.
    scores = np.r_[np.full(4, 0.9), np.full(6, 0.1)]
    labels = np.r_[1, 1, 1, 0, 1, 1, 1, 0, 0, 0]
    pred = rocr_prediction(scores, labels)
    np.testing.assert_array_equal(pred.tp, [0, 3, 6])
    np.testing.assert_array_equal(pred.fp, [0, 1, 4])
    # Worked by hand following R's append(after = i): the second block (recall 4/6..1) lands
    # after position 2 of the already-grown list, i.e. in front of the first block's tail.
    rec = [0, 1 / 6, 4 / 6, 5 / 6, 1, 2 / 6, 3 / 6, 0.5, 1]
    prec = [1, 0.75, 4 / 6, 5 / 8, 6 / 10, 0.75, 0.75, 0.75, 0.6]
    expected = sum(0.5 * (rec[m] - rec[m - 1]) * (prec[m] + prec[m - 1]) for m in range(1, len(rec)))
    assert aucpr_btergm(pred) == pytest.approx(expected, abs=1e-15)
    # the correctly ordered interpolation differs, so the test really sees the quirk
    rec_ok = [0, 1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1]
    prec_ok = [1, 0.75, 0.75, 0.75, 4 / 6, 5 / 8, 0.6]
    correct = sum(0.5 * (rec_ok[m] - rec_ok[m - 1]) * (prec_ok[m] + prec_ok[m - 1]) for m in range(1, len(rec_ok)))
    assert aucpr_btergm(pred) != pytest.approx(correct, abs=1e-6)


def test_negative_interpolated_precision_is_not_clamped():
    # btergm's `prec[0] <- 0` is a no-op; interpolated precisions are always positive anyway, and the
    # first precision stays 1 even when the first cutoff already has false positives only.
    pred = rocr_prediction([0.9, 0.9, 0.5, 0.5, 0.5, 0.5], [0, 0, 1, 1, 1, 0])
    assert pr_curve(pred)["precision"].iloc[0] == 1.0
    assert pr_curve(pred)["precision"].iloc[1] == 0.0


@pytest.mark.parametrize("case", CASES)
def test_new_tie_metrics_reproduce_readme(case):
    scores = pd.read_csv(case_dir(case) / "gof_scores.csv")
    new = scores[scores["lag_tie"] == 0]
    roc_ref, pr_ref = README_NEW_TIES[case]
    result = rocpr(new["score"], new["y"])
    assert round(result.auc_roc, 3) == roc_ref
    assert result.auc_roc == pytest.approx(standard_metrics(new["score"], new["y"])["roc_auc"], abs=1e-12)
    # btergm's own PR-AUC restricted to new ties is *not* the README's number ...
    assert round(result.auc_pr, 3) != pr_ref
    # ... the README's PR-AUC is btergm's aucpr on the curve that starts at the first true positive
    pred = rocr_prediction(new["score"], new["y"])
    assert round(aucpr_btergm(pred, from_first_hit=True), 3) == pr_ref


@pytest.mark.parametrize("case", CASES)
def test_standard_average_precision_is_step_sum(case):
    scores = pd.read_csv(case_dir(case) / "gof_scores.csv")
    for subset in (scores, scores[scores["lag_tie"] == 0]):
        pred = rocr_prediction(subset["score"], subset["y"])
        recall = pred.tp / pred.n_pos
        precision = pred.tp[1:] / (pred.tp[1:] + pred.fp[1:])
        ap = float(np.sum(np.diff(recall) * precision))
        assert standard_metrics(subset["score"], subset["y"])["average_precision"] == pytest.approx(ap, abs=1e-12)


def test_simulation_scores_divide_by_total_simulations():
    t1 = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    t2 = np.array([[0, 0, 1], [0, 0, 0], [1, 0, 0]], dtype=float)
    full = np.ones((3, 3)) - np.eye(3)
    empty = np.zeros((3, 3))
    scores, truth = simulation_scores([[full, empty], [full, full]], [t1, t2])
    # dyads (0,1), (0,2), (1,2) per target; 4 simulations in total
    np.testing.assert_allclose(scores, [0.25, 0.25, 0.25, 0.5, 0.5, 0.5])
    np.testing.assert_array_equal(truth, [1, 0, 1, 0, 1, 0])
    t1_missing = t1.copy()
    t1_missing[0, 2] = t1_missing[2, 0] = np.nan
    scores, truth = simulation_scores([[full]], [t1_missing])
    assert len(scores) == 2 and not np.isnan(truth).any()


def test_random_graph_baseline_is_seeded_and_uninformative():
    rng = np.random.default_rng(3)
    n = 60
    upper = np.triu(rng.random((n, n)) < 0.13, 1)
    target = (upper | upper.T).astype(float)
    s1, y1 = random_graph_scores([target], nsim=100, seed=11)
    s2, _ = random_graph_scores([target], nsim=100, seed=11)
    s3, _ = random_graph_scores([target], nsim=100, seed=12)
    np.testing.assert_array_equal(s1, s2)
    assert not np.array_equal(s1, s3)
    density = y1.mean()
    # mean score is the drawn density; AUCs of an independent score sit near 0.5 and the density
    assert s1.mean() == pytest.approx(density, abs=0.01)
    result = rocpr(s1, y1)
    assert abs(result.auc_roc - 0.5) < 0.1  # sd ≈ 0.02 here
    assert abs(result.auc_pr - density) < 0.06
