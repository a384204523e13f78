"""Tie-prediction metrics: btergm's ``rocpr`` (ROCR curves, ROC-AUC, PR-AUC) reproduced exactly.

btergm scores each dyad of a target network by the share of simulated networks that contain the
tie, then evaluates the scores with ROCR (spec §7.2 "rocpr"). Reproducing its numbers needs three
quirks, all implemented here on purpose:

* ROCR curves have one point per *distinct* score (cumulative counts up to the last occurrence of
  the score) plus a prepended (0, 0) point at cutoff ``+Inf``;
* the PR curve's first precision (0/0 at the prepended point) is set to 1;
* ``aucpr`` interpolates between distant points à la Davis & Goadrich but inserts the new points
  at the *original* index into the already-grown lists, so later insertions land out of order.

Alongside, :func:`standard_metrics` gives the conventional scikit-learn ROC-AUC and average
precision, which customsnet reports as the honest numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp


@dataclass(frozen=True)
class RocrPrediction:
    """ROCR's ``prediction`` object for one task: counts at each distinct cutoff, descending.

    Index 0 is the prepended point with cutoff ``+Inf`` and ``tp = fp = 0``.
    """

    cutoffs: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    n_pos: int
    n_neg: int


@dataclass(frozen=True)
class RocPr:
    """Result of :func:`rocpr`: btergm's AUCs and curves (and the random-graph baseline if run)."""

    auc_roc: float
    auc_pr: float
    roc: pd.DataFrame  # fpr, tpr, cutoff
    pr: pd.DataFrame  # recall, precision
    auc_roc_rgraph: float | None = None
    auc_pr_rgraph: float | None = None

    def summary(self) -> dict[str, float | None]:
        """btergm's names: ``auc.roc``, ``auc.pr``, ``auc.roc.rgraph``, ``auc.pr.rgraph``."""
        return {
            "auc.roc": self.auc_roc,
            "auc.pr": self.auc_pr,
            "auc.roc.rgraph": self.auc_roc_rgraph,
            "auc.pr.rgraph": self.auc_pr_rgraph,
        }


def _check_inputs(scores: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = np.asarray(scores, dtype=np.float64).ravel()
    y = np.asarray(labels).ravel()
    if s.shape != y.shape:
        raise ValueError(f"scores ({s.size}) and labels ({y.size}) differ in length")
    keep = ~(np.isnan(s) | pd.isna(y))  # ROCR drops NA predictions/labels
    s, y = s[keep], y[keep].astype(np.float64)
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("labels must be 0/1")
    if y.sum() == 0 or y.sum() == y.size:
        raise ValueError("tie prediction needs both ties and non-ties among the evaluated dyads")
    return s, y.astype(np.int64)


def rocr_prediction(scores: np.ndarray, labels: np.ndarray) -> RocrPrediction:
    """ROCR ``prediction(scores, labels)``: cumulative tp/fp at each distinct score, descending.

    The counts at a cutoff include every dyad scored at least that high, i.e. up to the last
    occurrence of the score in the sorted order; tied scores therefore make a single step.
    """
    s, y = _check_inputs(scores, labels)
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    tp_cum = np.cumsum(y_sorted)
    fp_cum = np.cumsum(1 - y_sorted)
    last = np.r_[s_sorted[1:] != s_sorted[:-1], True]  # last occurrence of each distinct score
    return RocrPrediction(
        cutoffs=np.r_[np.inf, s_sorted[last]],
        tp=np.r_[0, tp_cum[last]].astype(np.float64),
        fp=np.r_[0, fp_cum[last]].astype(np.float64),
        n_pos=int(y.sum()),
        n_neg=int(y.size - y.sum()),
    )


def roc_curve(pred: RocrPrediction) -> pd.DataFrame:
    """ROC points (``fpr``, ``tpr``, ``cutoff``) at ROCR's cutoffs."""
    return pd.DataFrame({"fpr": pred.fp / pred.n_neg, "tpr": pred.tp / pred.n_pos, "cutoff": pred.cutoffs})


def roc_auc(pred: RocrPrediction) -> float:
    """ROCR's ``auc``: trapezoids between consecutive ROC points (ties become diagonal segments)."""
    x = pred.fp / pred.n_neg
    y = pred.tp / pred.n_pos
    return float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2.0))


def pr_curve(pred: RocrPrediction) -> pd.DataFrame:
    """btergm's PR curve (``recall``, ``precision``); the first precision (0/0) is set to 1."""
    recall = pred.tp / pred.n_pos
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = pred.tp / (pred.tp + pred.fp)
    precision[0] = 1.0
    return pd.DataFrame({"recall": recall, "precision": precision})


def aucpr_btergm(pred: RocrPrediction, from_first_hit: bool = False) -> float:
    """btergm's ``aucpr``: Davis–Goadrich interpolation with its insertion-index quirk.

    For each original step ``i`` with more than two new true positives, ``tp[i+1]-tp[i]`` points are
    interpolated and inserted right after position ``i`` (1-based) of the *already-grown* recall and
    precision lists, exactly as R's ``append(x, new, after = i)`` in btergm's loop. btergm then tries
    to clamp precision into [0, 1] with ``prec[0] <- 0``, which is a no-op in R; so nothing is clamped.

    ``from_first_hit=True`` drops the zero-recall points after the (0, 1) anchor (cutoffs that
    admit only non-ties), so the curve runs straight from (0, 1) to the first true positive. This
    is the variant that reproduces the reference README's new-tie PR-AUCs (0.044 for case1, 0.078
    for case1_dissolve); it is *not* what btergm computes and is kept only for that comparison.
    """
    if from_first_hit:
        keep = np.r_[True, pred.tp[1:] > 0]
        pred = RocrPrediction(pred.cutoffs[keep], pred.tp[keep], pred.fp[keep], pred.n_pos, pred.n_neg)
    curve = pr_curve(pred)
    rec = list(curve["recall"].to_numpy())
    prec = list(curve["precision"].to_numpy())
    tp, fp = pred.tp, pred.fp
    n_pos = pred.n_pos
    for i in range(1, len(tp)):  # R's i = 1..L-1; tp[i-1] is R's tp[i]
        gain = tp[i] - tp[i - 1]
        if gain > 2:
            skew = (fp[i] - fp[i - 1]) / gain
            x = np.arange(1.0, gain + 1.0)
            base_tp, base_fp = tp[i - 1], fp[i - 1]
            rec[i:i] = list((base_tp + x) / n_pos)
            prec[i:i] = list((base_tp + x) / (base_tp + base_fp + x + skew * x))
    r = np.asarray(rec)
    p = np.asarray(prec)
    return float(np.sum(0.5 * np.diff(r) * (p[1:] + p[:-1])))


def rocpr(scores: np.ndarray, labels: np.ndarray) -> RocPr:
    """btergm's ROC/PR evaluation of one (joint) prediction task from scores and 0/1 truth."""
    pred = rocr_prediction(scores, labels)
    return RocPr(auc_roc=roc_auc(pred), auc_pr=aucpr_btergm(pred), roc=roc_curve(pred), pr=pr_curve(pred))


def standard_metrics(scores: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Conventional metrics (scikit-learn): ROC-AUC and average precision, without btergm's quirks."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    s, y = _check_inputs(scores, labels)
    return {"roc_auc": float(roc_auc_score(y, s)), "average_precision": float(average_precision_score(y, s))}


# --------------------------------------------------------------------------- scores from networks
def dyad_index(n: int, directed: bool) -> tuple[np.ndarray, np.ndarray]:
    """The dyads btergm evaluates: ``i < j`` (row-major) when undirected, all cells incl. diagonal when directed.

    btergm takes the strict lower triangle column-major for undirected networks; by symmetry that
    is the same set and order as the upper triangle row-major used here.
    """
    if directed:
        i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        return i.ravel(), j.ravel()
    return np.triu_indices(n, k=1)


def _as_dense(m) -> np.ndarray:
    return m.toarray() if sp.issparse(m) else np.asarray(m)


def simulation_scores(simulated: list[list], targets: list, directed: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """btergm's joint scores and truth: per target, the sum of its simulated adjacencies divided by
    the **total** number of simulations over all targets (a constant that keeps the joint ranking).

    ``simulated[k]`` is the list of simulated networks for ``targets[k]`` (sparse or dense, n×n).
    NaN target cells are dropped.
    """
    if len(simulated) != len(targets):
        raise ValueError(f"{len(simulated)} simulation blocks for {len(targets)} targets")
    total = sum(len(block) for block in simulated)
    scores, truth = [], []
    for block, target in zip(simulated, targets):
        t = _as_dense(target).astype(np.float64)
        count = np.zeros_like(t)
        for m in block:
            count += _as_dense(m)
        i, j = dyad_index(t.shape[0], directed)
        keep = ~np.isnan(t[i, j])
        scores.append(count[i, j][keep] / total)
        truth.append(t[i, j][keep])
    return np.concatenate(scores), np.concatenate(truth)


def random_graph_scores(targets: list, nsim: int, seed: int, directed: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """btergm's "rgraph" baseline: ``nsim`` Bernoulli(density) graphs per target, scored like simulations.

    Density is ``sna::gden``: ties over non-missing possible dyads (ordered pairs when directed).
    Undirected draws are symmetrised from the upper triangle. R's ``rbinom`` stream cannot be
    reproduced, so only the distribution matches btergm.
    """
    rng = np.random.default_rng(seed)
    simulated = []
    for target in targets:
        t = _as_dense(target).astype(np.float64)
        n = t.shape[0]
        i, j = np.triu_indices(n, k=1) if not directed else np.nonzero(~np.eye(n, dtype=bool))
        vals = t[i, j]
        density = np.nansum(vals) / np.count_nonzero(~np.isnan(vals))
        block = []
        for _ in range(nsim):
            m = (rng.random((n, n)) < density).astype(np.float64)
            np.fill_diagonal(m, 0.0)
            if not directed:
                m = np.triu(m, 1)
                m = m + m.T
            block.append(m)
        simulated.append(block)
    return simulation_scores(simulated, targets, directed)


def rocpr_from_simulations(
    simulated: list[list],
    targets: list,
    directed: bool = False,
    rgraph_seed: int | None = None,
) -> RocPr:
    """btergm ``gof(..., statistics = rocpr)`` on given simulations; with ``rgraph_seed`` also the
    random-graph baseline (same number of simulations per target)."""
    scores, truth = simulation_scores(simulated, targets, directed)
    result = rocpr(scores, truth)
    if rgraph_seed is None:
        return result
    nsim = len(simulated[0]) if simulated else 0
    r_scores, r_truth = random_graph_scores(targets, nsim, rgraph_seed, directed)
    base = rocpr(r_scores, r_truth)
    return RocPr(
        auc_roc=result.auc_roc,
        auc_pr=result.auc_pr,
        roc=result.roc,
        pr=result.pr,
        auc_roc_rgraph=base.auc_roc,
        auc_pr_rgraph=base.auc_pr,
    )
