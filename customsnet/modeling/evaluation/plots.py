"""Publication figures shared by the modeling tools: style, model colours, the writer, the coefficient plot.

Figures are built with matplotlib's object-oriented API (``matplotlib.figure.Figure``), not
``pyplot``, so nothing here touches the global backend or leaves figures open in a session.

Conventions every figure follows (so a paper's panels agree with each other):

* **Size**: journal column widths, :data:`SINGLE_COLUMN` (3.5 in, 89 mm) and
  :data:`DOUBLE_COLUMN` (7.0 in, 178 mm), at most :data:`MAX_HEIGHT` tall; fonts 7–8 pt.
* **Format by extension**: :func:`save_figure` writes ``x.pdf`` as PDF, ``x.svg`` as SVG, ``x.png``
  as a 300 dpi PNG; a path without one of these suffixes gets PNG (for the HTML report) and PDF
  (for the paper).
* **Colours by model**: :func:`model_colors` gives the study's models fixed colours
  (Okabe–Ito, readable by colour-blind readers and in grey print), so Model 2 is the same colour
  in the coefficient plot, the ROC/PR curves and the GOF boxes.
* **Significance by fill**: a filled marker means the bootstrap interval excludes 0 (btergm's
  rule), a hollow one that it does not.
* **Legends outside the data** (above or beside the axes), **short titles**; a formula belongs in
  the caption.

ROC/PR curves are drawn by :func:`customsnet.modeling.evaluation.predict.plot_roc_pr`, GOF boxes by
:func:`customsnet.modeling.evaluation.gof.plot_gof`, predicted probabilities by
:func:`customsnet.modeling.evaluation.interpret.plot_probability_bars`; they all use the helpers here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from customsnet.modeling.results import FitResult, is_estimated

#: journal column widths and the tallest figure a page holds (inches)
SINGLE_COLUMN = 3.5
DOUBLE_COLUMN = 7.0
MAX_HEIGHT = 9.0
#: the formats :func:`save_figure` recognises by suffix
FIGURE_FORMATS = (".pdf", ".svg", ".png")
#: what a path without a recognised suffix gets: raster for the report, vector for the paper
DEFAULT_FORMATS = (".png", ".pdf")
PNG_DPI = 300

#: Okabe–Ito colours; the study's models first, in a fixed order
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STUDY_MODELS = ("Model 1", "Model 2", "Model 3", "Formation")

STYLE = {
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "figure.titlesize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "lines.linewidth": 1.2,
    "pdf.fonttype": 42,  # TrueType in PDFs: editable text, accepted by journals
    "svg.fonttype": "none",
}


@contextmanager
def publication_style() -> Iterator[None]:
    """Journal fonts and line widths while a figure is built (rcParams restored afterwards)."""
    with mpl.rc_context(STYLE):
        yield


def new_figure(width: float = DOUBLE_COLUMN, height: float = 3.0) -> Figure:
    """A constrained-layout Figure of a journal width (height capped at :data:`MAX_HEIGHT`)."""
    return Figure(figsize=(width, min(height, MAX_HEIGHT)), layout="constrained")


def model_colors(models: Sequence[str]) -> dict[str, str]:
    """A colour per model: the study's models always get the same one, others the next free colours."""
    colors = {m: PALETTE[STUDY_MODELS.index(m)] for m in models if m in STUDY_MODELS}
    free = iter(c for c in PALETTE if c not in colors.values())
    for m in models:
        if m not in colors:
            colors[m] = next(free, "#777777")
    return colors


def outside_legend(fig: Figure, handles=None, labels=None, ncol: int | None = None) -> None:
    """A figure-level legend above the axes (outside every data area)."""
    if handles is None:
        handles, labels = fig.axes[0].get_legend_handles_labels()
    if not handles:
        return
    fig.legend(handles, labels, loc="outside upper center", ncol=ncol or min(len(handles), 4), frameon=False)


def save_figure(fig: Figure, path: str | Path, dpi: int = PNG_DPI) -> list[Path]:
    """Write ``fig`` in the format its suffix names (.pdf, .svg, .png), or as PNG + PDF without one.

    Returns the written paths (the PNG first when there is one, for HTML embedding).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in FIGURE_FORMATS:
        targets = [path]
    else:
        targets = [path.with_name(path.name + suffix) for suffix in DEFAULT_FORMATS]
    for target in targets:
        fig.savefig(
            target,
            dpi=dpi if target.suffix.lower() == ".png" else None,
            metadata={"Creator": "customsnet"} if target.suffix.lower() != ".png" else None,
        )
    return targets


# --------------------------------------------------------------------------- coefficient plot
def formation_term(fit: FitResult, term: str) -> str:
    """The row a term of ``fit`` belongs in when models are compared.

    The formation model's ``edges`` estimates btergm's ``edges - memory`` (the intercept of the
    dyads at risk), so it is shown in that row, not next to the btergm models' ``edges``.
    """
    if fit.estimator != "formation" or term != "edges":
        return term
    memory = fit.meta.get("memory_term", "edgecov.memory[[i]]")
    return f"edges - {memory}"


def coefficient_table(
    fits: Mapping[str, FitResult], terms: Sequence[str] | None = None, level: float = 0.95
) -> pd.DataFrame:
    """Long table ``model, term, estimate, lower, upper, status`` of several fits (terms first-seen order).

    From each fit's :meth:`~FitResult.tidy`; the formation model's ``edges`` row is renamed to
    ``edges - memory`` (:func:`formation_term`). ``terms`` restricts and orders the rows; a term a
    model lacks is simply absent for it.
    """
    parts = []
    for model, fit in fits.items():
        tidy = fit.tidy(level)
        tidy["term"] = [formation_term(fit, t) for t in tidy["term"]]
        parts.append(tidy.assign(model=model))
    table = pd.concat(parts, ignore_index=True)[["model", "term", "estimate", "lower", "upper", "status"]]
    order = list(terms) if terms is not None else list(dict.fromkeys(table["term"]))
    table = table[table["term"].isin(order)].copy()
    table["term"] = pd.Categorical(table["term"], categories=order, ordered=True)
    return table.sort_values(["term", "model"], kind="stable").reset_index(drop=True)


def excludes_zero(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """btergm's significance rule: the bootstrap interval lies entirely above or below 0."""
    lower, upper = np.asarray(lower, float), np.asarray(upper, float)
    with np.errstate(invalid="ignore"):
        return np.isfinite(lower) & np.isfinite(upper) & ((lower > 0) | (upper < 0))


def coefficient_figure(
    fits: FitResult | Mapping[str, FitResult],
    terms: Sequence[str] | None = None,
    level: float = 0.95,
    title: str = "",
    truth: Mapping[str, float] | None = None,
) -> Figure:
    """Dot-and-whisker plot (the study's Figure 7): estimates with bootstrap intervals, models side by side.

    Each term is a row; models are offset within the row in their :func:`model_colors`. A filled
    marker: the interval excludes 0; hollow: it does not. Terms without an estimate are marked
    "n/a" at the left edge. ``truth`` (synthetic data) adds the generating values as red ticks.
    One shared axis: pass ``terms`` to leave out a term on a very different scale.
    """
    if isinstance(fits, FitResult):
        fits = {"model": fits}
    if not fits:
        raise ValueError("coefficient_plot needs at least one fit")
    table = coefficient_table(fits, terms, level)
    term_order = list(table["term"].cat.categories)
    models = list(fits)
    colors = model_colors(models)
    with publication_style():
        fig = new_figure(
            DOUBLE_COLUMN if len(models) > 1 else SINGLE_COLUMN + 1.5,
            0.9 + 0.22 * len(term_order) * max(1.0, len(models) ** 0.6),
        )
        ax = fig.add_subplot()
        offsets = np.linspace(-0.28, 0.28, len(models)) if len(models) > 1 else np.zeros(1)
        for k, model in enumerate(models):
            sub = table[table["model"] == model]
            y = np.array([term_order.index(t) for t in sub["term"]], dtype=float) + offsets[k]
            est, lo, hi = (sub[c].to_numpy(dtype=float) for c in ("estimate", "lower", "upper"))
            ok = np.isfinite(est) & np.array([is_estimated(s) for s in sub["status"]])
            has_ci = ok & np.isfinite(lo) & np.isfinite(hi)
            # drawn from the interval's own centre: a percentile interval need not contain the
            # estimate (few replicates, bootstrap bias), and errorbar refuses negative half-widths
            ax.errorbar(
                (lo[has_ci] + hi[has_ci]) / 2,
                y[has_ci],
                xerr=(hi[has_ci] - lo[has_ci]) / 2,
                fmt="none",
                ecolor=colors[model],
                elinewidth=1.0,
                capsize=1.5,
            )
            sig = excludes_zero(lo, hi) & ok
            ax.plot(est[ok & sig], y[ok & sig], "o", color=colors[model], ms=4, label=model)
            ax.plot(est[ok & ~sig], y[ok & ~sig], "o", mfc="white", mec=colors[model], ms=4, mew=1.0, label="_" + model)
            for yy in y[~ok]:
                ax.annotate(
                    "n/a",
                    xy=(0, yy),
                    xycoords=("axes fraction", "data"),
                    xytext=(2, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=6,
                    color=colors[model],
                )
        if truth:
            ys = [i for i, t in enumerate(term_order) if t in truth]
            ax.plot([truth[term_order[i]] for i in ys], ys, "|", color="#C0392B", ms=9, mew=1.5, label="true value")
        ax.axvline(0.0, color="#777777", lw=0.6, ls="--")
        ax.set_yticks(range(len(term_order)), term_order)
        ax.set_ylim(len(term_order) - 0.5, -0.5)
        ax.set_xlabel(f"estimate (log-odds), {100 * level:g}% bootstrap interval; filled: interval excludes 0")
        handles, labels = ax.get_legend_handles_labels()
        if len(models) > 1 or truth:
            outside_legend(fig, handles, labels, ncol=min(len(handles), 5))
        if title:
            ax.set_title(title)
    return fig


def coefficient_plot(
    fits: FitResult | Mapping[str, FitResult],
    path: str | Path,
    terms: Sequence[str] | None = None,
    level: float = 0.95,
    title: str = "",
    truth: Mapping[str, float] | None = None,
) -> list[Path]:
    """:func:`coefficient_figure` written to ``path`` (format by extension; see :func:`save_figure`)."""
    return save_figure(coefficient_figure(fits, terms, level, title, truth), path)
