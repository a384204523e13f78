"""Figures shared by the modeling tools: the coefficient plot and the PNG + SVG writer.

Figures are built with matplotlib's object-oriented API (``matplotlib.figure.Figure``), not
``pyplot``, so nothing here touches the global backend or leaves figures open in a session.
ROC and precision-recall curves live in :func:`customsnet.modeling.predict.plot_roc_pr`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from customsnet.modeling.results import FitResult

#: formats every figure is written in (raster for quick looks, vector for the paper)
FIGURE_FORMATS = (".png", ".svg")


def save_figure(fig: Figure, path: str | Path, dpi: int = 150) -> list[Path]:
    """Write ``fig`` next to ``path`` as PNG and SVG (the suffix of ``path`` is replaced)."""
    base = Path(path)
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix in FIGURE_FORMATS:
        target = base.with_suffix(suffix)
        fig.savefig(target, dpi=dpi if suffix == ".png" else None, bbox_inches="tight")
        written.append(target)
    return written


def fit_estimates(fit: FitResult, level: float = 0.95) -> pd.DataFrame:
    """``term, estimate, lower, upper`` of one fit, identified combinations included, in fit order."""
    frame = fit.to_frame(level=level)
    lower, upper = frame.columns[2], frame.columns[3]  # labelled like R: "2.5%", "97.5%"
    return pd.DataFrame({"term": frame.index.to_list(), "estimate": frame["Estimate"].to_numpy(float),
                         "lower": frame[lower].to_numpy(float), "upper": frame[upper].to_numpy(float)})


def coefficient_table(fits: Mapping[str, FitResult], terms: Sequence[str] | None = None,
                      level: float = 0.95) -> pd.DataFrame:
    """Long table ``model, term, estimate, lower, upper`` of several fits (terms in first-seen order).

    ``terms`` restricts and orders the rows; a term a model lacks is simply absent for it.
    Identified combinations (e.g. ``edges - edgecov.memory[[i]]``) are included like terms.
    """
    table = pd.concat([fit_estimates(fit, level).assign(model=model) for model, fit in fits.items()],
                      ignore_index=True)[["model", "term", "estimate", "lower", "upper"]]
    order = list(terms) if terms is not None else list(dict.fromkeys(table["term"]))
    table = table[table["term"].isin(order)].copy()
    table["term"] = pd.Categorical(table["term"], categories=order, ordered=True)
    return table.sort_values(["term", "model"], kind="stable").reset_index(drop=True)


def coefficient_plot(fits: FitResult | Mapping[str, FitResult], path: str | Path,
                     terms: Sequence[str] | None = None, level: float = 0.95,
                     title: str = "") -> list[Path]:
    """Dot-and-whisker plot of estimates with bootstrap intervals, one or several fits side by side.

    Each term is a row; models are offset vertically within the row. Terms are drawn on one
    shared axis, so mixing very different scales (memory under separation) squeezes the rest:
    pass ``terms`` to choose. Non-identified estimates (NaN) are listed as "n/a" at the axis.
    Returns the PNG and SVG paths.
    """
    if isinstance(fits, FitResult):
        fits = {"model": fits}
    if not fits:
        raise ValueError("coefficient_plot needs at least one fit")
    table = coefficient_table(fits, terms, level)
    term_order = list(table["term"].cat.categories)
    models = list(fits)
    height = 0.8 + 0.45 * len(term_order) * max(1, len(models) ** 0.5)
    fig = Figure(figsize=(7.0, height))
    ax = fig.add_subplot()
    offsets = np.linspace(-0.25, 0.25, len(models)) if len(models) > 1 else np.zeros(1)
    colors = [f"C{k % 10}" for k in range(len(models))]
    missing_labels = []
    for k, model in enumerate(models):
        sub = table[table["model"] == model]
        y = np.array([term_order.index(t) for t in sub["term"]], dtype=float) + offsets[k]
        est, lo, hi = (sub[c].to_numpy(dtype=float) for c in ("estimate", "lower", "upper"))
        ok = np.isfinite(est)
        has_ci = ok & np.isfinite(lo) & np.isfinite(hi)
        ax.errorbar(est[has_ci], y[has_ci], xerr=[est[has_ci] - lo[has_ci], hi[has_ci] - est[has_ci]],
                    fmt="none", ecolor=colors[k], elinewidth=1.2, capsize=2)
        ax.plot(est[ok], y[ok], "o", color=colors[k], ms=4.5, label=model)
        missing_labels += [(yy, colors[k]) for yy in y[~ok]]
    ax.axvline(0.0, color="#777777", lw=0.8, ls="--")
    for yy, color in missing_labels:
        ax.annotate("n/a", xy=(0, yy), xycoords=("axes fraction", "data"), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=7, color=color)
    ax.set_yticks(range(len(term_order)), term_order, fontsize=8)
    ax.set_ylim(len(term_order) - 0.5, -0.5)
    ax.set_xlabel(f"estimate (log-odds) with {100 * level:g}% bootstrap interval")
    if len(models) > 1:
        ax.legend(fontsize=8, loc="best")
    if title:
        ax.set_title(title, fontsize=10)
    return save_figure(fig, path)
