"""Out-of-sample tie prediction for a held-out year: btergm's recipe and an honest alternative.

* **btergm-compatible** (:func:`predict_btergm`): simulate ``nsim`` networks from the fitted model
  *starting at the target network itself* (burn-in 10,000 TNT proposals, interval 1,000), score each
  dyad by the share of simulations containing the tie, evaluate with btergm's ``rocpr``
  (:mod:`customsnet.modeling.evaluation.rocpr`). The short chain leaks the target into the scores (spec §7.2).
* **honest** (:func:`predict_honest`, the default): nothing from the target year is used.
  ``method="exact"`` — for dyad-independent models the tie probabilities are exactly
  logistic(Σθ_kΔ_k); ``method="conditional"`` — the conditional tie probability with the rest of the
  network at its year t−1 state, logistic(θᵀΔ(Y^{t−1})); ``method="simulate"`` — a chain started at the
  year t−1 network with a burn-in of several sweeps of all dyads. ``"auto"`` picks ``exact`` when the
  model has no dependence terms and ``simulate`` otherwise.

Both report metrics on all dyads and on the **new ties** only (dyads untied in year t−1), with
btergm's AUCs and the conventional scikit-learn ones. :func:`compare` tabulates several predictions
and :func:`plot_roc_pr` draws their ROC and PR curves.

Directed panels are scored on every ordered pair i≠j (n(n−1) dyads, row ``i`` → column ``j``),
undirected ones on the pairs i<j.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from customsnet.modeling.evaluation.rocpr import (
    RocPr,
    random_graph_scores,
    rocpr,
    standard_metrics,
)
from customsnet.modeling.parallel import Progress
from customsnet.modeling.simulation.settings import SimulationSettings
from customsnet.modeling.simulation.simulate import YearModel, model_formula, simulate, simulation_inputs
from customsnet.modeling.terms.base import all_dyads

if TYPE_CHECKING:
    from matplotlib.figure import Figure

HONEST_METHODS = ("auto", "exact", "conditional", "simulate")


class PredictionError(ValueError):
    """A prediction cannot be made (no previous year, no new ties to evaluate, unsupported model)."""


@dataclass
class Prediction:
    """Scores for every dyad of the target year, and the metrics computed from them."""

    label: str
    year: int
    mode: str  # "btergm" or "honest:<method>"
    scores: pd.DataFrame  # i, j, i.name, j.name, y, lag_tie, score
    btergm_all: RocPr
    btergm_new: RocPr | None
    standard_all: dict[str, float]
    standard_new: dict[str, float]
    settings: dict = field(default_factory=dict)

    def metrics(self) -> dict[str, float]:
        """One flat row: btergm's AUCs and sklearn's ROC-AUC / average precision, all dyads and new ties."""
        row = {
            "btergm auc.roc": self.btergm_all.auc_roc,
            "btergm auc.pr": self.btergm_all.auc_pr,
            "roc_auc": self.standard_all["roc_auc"],
            "average_precision": self.standard_all["average_precision"],
        }
        if self.btergm_all.auc_roc_rgraph is not None:
            row["btergm auc.roc.rgraph"] = self.btergm_all.auc_roc_rgraph
            row["btergm auc.pr.rgraph"] = self.btergm_all.auc_pr_rgraph
        if self.btergm_new is not None:
            row.update(
                {
                    "new ties: btergm auc.roc": self.btergm_new.auc_roc,
                    "new ties: btergm auc.pr": self.btergm_new.auc_pr,
                    "new ties: roc_auc": self.standard_new["roc_auc"],
                    "new ties: average_precision": self.standard_new["average_precision"],
                }
            )
        row["new ties"] = int(self.scores.loc[self.scores["lag_tie"] == 0, "y"].sum())
        row["dyads"] = len(self.scores)
        return row


def _dyads(ym: YearModel) -> tuple[np.ndarray, np.ndarray]:
    """The dyads a prediction scores: pairs i<j when undirected, every ordered pair i≠j
    (n(n−1), row-major) when directed — the design's dyads (``terms.base.all_dyads``)."""
    return all_dyads(len(ym.nodes), ym.model.directed)


def _score_frame(ym: YearModel, scores: np.ndarray) -> pd.DataFrame:
    """One row per dyad of :func:`_dyads` (``i`` → ``j`` when directed) with truth, lagged tie and score."""
    i, j = _dyads(ym)
    y = np.asarray(ym.observed[i, j]).ravel() != 0
    lag = np.asarray(ym.previous[i, j]).ravel() != 0 if ym.previous is not None else np.zeros(len(i), bool)
    return pd.DataFrame(
        {
            "i": i + 1,
            "j": j + 1,
            "i.name": ym.nodes[i],
            "j.name": ym.nodes[j],
            "y": y.astype(np.int64),
            "lag_tie": lag.astype(np.int64),
            "score": scores,
        }
    )


def evaluate(
    label: str,
    year: int,
    mode: str,
    frame: pd.DataFrame,
    settings: dict,
    rgraph: tuple[np.ndarray, np.ndarray] | None = None,
) -> Prediction:
    """Metrics of a score frame (all dyads and new ties; btergm's and sklearn's)."""
    all_ = rocpr(frame["score"], frame["y"])
    if rgraph is not None:
        base = rocpr(*rgraph)
        all_ = RocPr(all_.auc_roc, all_.auc_pr, all_.roc, all_.pr, base.auc_roc, base.auc_pr)
    new = frame[frame["lag_tie"] == 0]
    has_new = 0 < new["y"].sum() < len(new)
    return Prediction(
        label=label,
        year=year,
        mode=mode,
        scores=frame,
        btergm_all=all_,
        btergm_new=rocpr(new["score"], new["y"]) if has_new else None,
        standard_all=standard_metrics(frame["score"], frame["y"]),
        standard_new=standard_metrics(new["score"], new["y"]) if has_new else {},
        settings=settings,
    )


def _simulated_scores(ym: YearModel, start, settings: SimulationSettings, on_draw=None) -> np.ndarray:
    res = simulate(
        ym.model,
        start,
        nsim=settings.nsim,
        seed=settings.seed,
        burnin=settings.burnin,
        interval=settings.interval,
        on_draw=on_draw,
    )
    total = sum(res.networks[1:], res.networks[0]).tocsr()
    i, j = _dyads(ym)
    return np.asarray(total[i, j]).ravel() / settings.nsim


def _draw_counter(progress: Progress | None, what: str, nsim: int):
    """``advance`` of a bar counting the ``nsim`` draws of one chain (None without a progress callback)."""
    return None if progress is None else progress(what, nsim)


def _fixed_start(settings: SimulationSettings, start: str, recipe: str) -> None:
    """A prediction's start is its recipe; refuse a settings object that asks for the other one."""
    if settings.start is not None and settings.start != start:
        raise PredictionError(
            f"{recipe} (start={start!r}); settings.start={settings.start!r} is not possible here "
            "(leave it at None; gof takes either start)"
        )


def predict_btergm(
    fit,
    panel,
    *,
    formula=None,
    year: int,
    settings: SimulationSettings | None = None,
    label: str = "model",
    rgraph_seed: int | None = None,
    missing: str = "error",
    progress: Progress | None = None,
    btergm_window_start: int | None = None,
) -> Prediction:
    """btergm's out-of-sample recipe: chains start at the target network (see module doc).

    ``timecov`` reads the year's calendar position (the fit's clock). ``btergm_window_start=k``
    reproduces btergm's ``gof(fit, formula = nets[k:year] ~ ...)`` numbers instead, whose
    ``timecov`` counts positions inside the shorter list (btergm's re-indexing quirk; see
    :func:`~customsnet.modeling.simulation.simulate.simulation_inputs`). It is recorded in the settings.

    ``settings`` (default ``SimulationSettings()``): nsim, seed and the chain lengths (default
    btergm's 10,000 / 1,000 proposals); the start is always the observed target network.
    ``progress`` (``start(description, total) -> advance(n)``) counts the simulated networks.
    """
    settings = settings or SimulationSettings()
    _fixed_start(settings, "observed", "predict_btergm starts its chains at the target year's own network")
    settings = settings.with_defaults(burnin=10_000, interval=1_000, start="observed")
    formula = model_formula(fit, formula, "predict_btergm")
    ym = simulation_inputs(
        fit, panel, formula=formula, year=year, missing=missing, btergm_window_start=btergm_window_start
    )
    advance = _draw_counter(progress, f"{label}: btergm-compatible, year {year}", settings.nsim)
    scores = _simulated_scores(ym, ym.observed, settings, advance)
    frame = _score_frame(ym, scores)
    rgraph = None
    if rgraph_seed is not None:
        rgraph = random_graph_scores([ym.observed], settings.nsim, rgraph_seed, ym.model.directed)
    record = {**settings.record(), "start": "target network", "rgraph_seed": rgraph_seed, "missing": missing}
    if btergm_window_start is not None:
        record["btergm_window_start"] = btergm_window_start
    return evaluate(label, year, "btergm", frame, record, rgraph)


def conditional_probabilities(ym: YearModel) -> np.ndarray:
    """logistic(θᵀΔ) with Δ evaluated on the year t−1 network (the dyads of :func:`_dyads`:
    i<j row-major when undirected, every ordered pair i≠j when directed).

    Δ holds every term's change statistics: the dyad-independent part of the model plus each
    dependent term's own change statistics on the year t−1 network.
    """
    if ym.previous is None:
        raise PredictionError(f"year {ym.year} has no previous year in the panel")
    i, j = _dyads(ym)
    eta = ym.conditional_logodds(ym.previous, i, j)
    return 0.5 * (1.0 + np.tanh(0.5 * eta))


def predict_honest(
    fit,
    panel,
    *,
    formula=None,
    year: int,
    method: str = "auto",
    settings: SimulationSettings | None = None,
    sweeps: int = 10,
    label: str = "model",
    missing: str = "error",
    progress: Progress | None = None,
) -> Prediction:
    """Predict ``year`` without using its network (see module doc for the methods).

    ``simulate`` starts at the year t−1 network, burns in ``sweeps`` × (number of dyads)
    proposals and records a network every sweep of all dyads, unless ``settings`` gives its own
    ``burnin`` / ``interval``; ``settings.nsim`` and ``settings.seed`` as for every simulation.
    ``progress`` (``start(description, total) -> advance(n)``) counts the simulated networks.
    """
    if method not in HONEST_METHODS:
        raise PredictionError(f"method must be one of {HONEST_METHODS}, got {method!r}")
    settings = settings or SimulationSettings()
    _fixed_start(settings, "previous", "predict_honest starts its chains at the year t-1 network")
    formula = model_formula(fit, formula, "predict_honest")
    ym = simulation_inputs(fit, panel, formula=formula, year=year, missing=missing)
    if ym.previous is None:
        raise PredictionError(f"year {year} is the first panel year: there is no year t−1 network to start from")
    dependent = any(np.any(coef != 0) for _, coef in ym.dependent)
    if method == "auto":
        method = "simulate" if dependent else "exact"
    if method == "exact" and dependent:
        raise PredictionError("exact probabilities need a dyad-independent model; use 'conditional' or 'simulate'")
    n_dyads = len(_dyads(ym)[0])
    record: dict = {"method": method, "start": "year t-1 network", "missing": missing}
    if method == "exact":
        i, j = _dyads(ym)
        scores = 0.5 * (1.0 + np.tanh(0.5 * ym.model.dyad_logodds[i, j]))
    elif method == "conditional":
        scores = conditional_probabilities(ym)
    else:
        settings = settings.with_defaults(burnin=sweeps * n_dyads, interval=n_dyads, start="previous")
        advance = _draw_counter(progress, f"{label}: honest, year {year}", settings.nsim)
        scores = _simulated_scores(ym, ym.previous, settings, advance)
        record.update({**settings.record(), "start": "year t-1 network", "sweeps": sweeps})
    return evaluate(label, year, f"honest:{method}", _score_frame(ym, scores), record)


# --------------------------------------------------------------------------- comparison
def compare(predictions: list[Prediction]) -> pd.DataFrame:
    """Side-by-side metrics of several predictions (rows: label and mode)."""
    rows = []
    for p in predictions:
        rows.append({"label": p.label, "mode": p.mode, "year": p.year, **p.metrics()})
    return pd.DataFrame(rows).set_index(["label", "mode"])


#: line style per prediction mode, so colour stays the model's across every figure
MODE_STYLES = {"btergm": "-", "honest": "--"}


def roc_pr_figure(predictions: list[Prediction], new_ties: bool = False) -> Figure:
    """The study's Figure 8: ROC and precision-recall curves of several predictions side by side.

    Colour = model (:func:`~customsnet.modeling.evaluation.plots.model_colors`), line style = mode (solid:
    btergm-compatible, dashed: honest); the legend (outside the axes) gives each curve's AUC.
    """
    from customsnet.modeling.evaluation.plots import (
        DOUBLE_COLUMN,
        model_colors,
        new_figure,
        outside_legend,
        publication_style,
    )

    colors = model_colors(list(dict.fromkeys(p.label for p in predictions)))
    with publication_style():
        fig = new_figure(DOUBLE_COLUMN, 3.3)
        ax_roc, ax_pr = fig.subplots(1, 2)
        handles, labels = [], []
        for p in predictions:
            result = p.btergm_new if new_ties else p.btergm_all
            if result is None:
                continue
            mode = p.mode.split(":")[0]
            style = {"color": colors[p.label], "ls": MODE_STYLES.get(mode, ":"), "lw": 1.2}
            (line,) = ax_roc.plot(result.roc["fpr"], result.roc["tpr"], **style)
            ax_pr.plot(result.pr["recall"], result.pr["precision"], **style)
            handles.append(line)
            labels.append(
                f"{p.label}, {p.mode.replace('honest:', 'honest ')}: ROC {result.auc_roc:.3f}, PR {result.auc_pr:.3f}"
            )
        ax_roc.plot([0, 1], [0, 1], color="#999999", lw=0.6, ls=":")
        ax_roc.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC", xlim=(0, 1), ylim=(0, 1.01))
        ax_pr.set(xlabel="recall", ylabel="precision", title="Precision-recall", xlim=(0, 1), ylim=(0, 1.01))
        outside_legend(fig, handles, labels, ncol=2)
    return fig


def plot_roc_pr(predictions: list[Prediction], path: str | Path, new_ties: bool = False) -> list[Path]:
    """:func:`roc_pr_figure` written to ``path`` (format by extension; PNG + PDF without one)."""
    from customsnet.modeling.evaluation.plots import save_figure

    return save_figure(roc_pr_figure(predictions, new_ties), path)
