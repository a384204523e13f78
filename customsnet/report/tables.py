"""Coefficient tables and plots across models, in the style of the study's Table A3.

Inputs are plain frames with columns ``term, estimate, lower, upper, status`` (one per model),
so this module does not depend on the estimator's classes.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def _cell(est: float, lo: float, hi: float, status: str) -> str:
    if status and status != "ok":
        # btergm-mode values of separated terms are where the optimiser stopped: show, but mark
        label = status.split(":")[0]
        return f"{est:.3f} † ({label})" if est is not None and math.isfinite(est) else label
    if est is None or not math.isfinite(est):
        return ""
    star = "*" if (math.isfinite(lo) and math.isfinite(hi) and (lo > 0 or hi < 0)) else ""
    if math.isfinite(lo) and math.isfinite(hi):
        return f"{est:.3f}{star} [{lo:.3f}; {hi:.3f}]"
    return f"{est:.3f}"


def side_by_side(models: dict[str, pd.DataFrame], truth: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per term, one column per model: ``estimate* [2.5%; 97.5%]`` (* = interval excludes 0).

    Terms keep the order of first appearance across models; ``truth`` adds a column of the
    generating values (demo only).
    """
    order: list[str] = []
    for df in models.values():
        for t in df["term"]:
            if t not in order:
                order.append(t)
    out = pd.DataFrame({"term": order})
    for name, df in models.items():
        d = df.set_index("term")
        cells = []
        for t in order:
            if t not in d.index:
                cells.append("")
                continue
            r = d.loc[t]
            cells.append(_cell(float(r["estimate"]), float(r.get("lower", np.nan)), float(r.get("upper", np.nan)), str(r.get("status", "ok"))))
        out[name] = cells
    if truth:
        out["true value (synthetic)"] = [f"{truth[t]:.3f}" if t in truth else "" for t in order]
    return out


def coefficient_plot(models: dict[str, pd.DataFrame], truth: dict[str, float] | None = None, exclude: tuple[str, ...] = ()) -> plt.Figure:
    """Dot-and-whisker plot of every model's estimates with bootstrap intervals (one panel per term)."""
    terms: list[str] = []
    for df in models.values():
        for t in df["term"]:
            if t not in terms and t not in exclude:
                terms.append(t)
    ncol = 3
    nrow = max(1, math.ceil(len(terms) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(11, 2.1 * nrow), squeeze=False)
    names = list(models)
    for k, term in enumerate(terms):
        ax = axes[k // ncol][k % ncol]
        for m, name in enumerate(names):
            d = models[name].set_index("term")
            if term not in d.index:
                continue
            r = d.loc[term]
            est = float(r["estimate"])
            if not math.isfinite(est):
                ax.text(0.5, m, "not identified", fontsize=7, va="center", transform=ax.get_yaxis_transform())
                continue
            lo, hi = float(r.get("lower", np.nan)), float(r.get("upper", np.nan))
            ax.errorbar([est], [m], xerr=[[est - lo], [hi - est]] if math.isfinite(lo) else None, fmt="o", ms=4, capsize=2)
        if truth and term in truth:
            ax.axvline(truth[term], color="#c0392b", ls="--", lw=1)
        ax.axvline(0, color="0.7", lw=0.8)
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels(names, fontsize=7)
        ax.set_ylim(-0.7, len(names) - 0.3)
        ax.set_title(term, fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    for k in range(len(terms), nrow * ncol):
        axes[k // ncol][k % ncol].axis("off")
    fig.tight_layout()
    return fig
