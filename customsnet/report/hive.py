"""Hive plots of a yearly network (matplotlib).

A hive plot places nodes on radial axes by a categorical attribute (here: world region group)
and along each axis by a numeric one (here: degree), so plots of different years are
comparable: the picture changes only when the network does, unlike force-directed layouts.
Edges are drawn as quadratic Bézier curves between axes; edges within one axis bend outwards.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from matplotlib.axes import Axes
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

#: radius of the inner end of every axis (nodes of degree 0 sit here, off the centre)
INNER = 0.2


def hive_positions(
    groups: np.ndarray, values: np.ndarray, axis_order: list[str], max_value: float | None = None
) -> np.ndarray:
    """(x, y) of each node: axis angle by group, radius INNER + (1 - INNER)·sqrt(value / max).

    The square root spreads the many low-degree parties along the axis instead of piling them
    at the centre, while the radius still grows with degree the same way in every year (pass
    the same ``max_value`` to all years' plots to keep them comparable).
    """
    k = len(axis_order)
    angle = {g: np.pi / 2 - 2 * np.pi * a / k for a, g in enumerate(axis_order)}
    vmax = max_value if max_value is not None else max(float(np.max(values)) if len(values) else 1.0, 1.0)
    radius = INNER + (1 - INNER) * np.sqrt(np.clip(np.asarray(values, dtype=float) / vmax, 0, 1))
    theta = np.array([angle[g] for g in groups])
    return np.column_stack([radius * np.cos(theta), radius * np.sin(theta)])


def draw_hive(
    ax: Axes,
    adjacency: sp.spmatrix,
    groups: np.ndarray,
    axis_order: list[str],
    title: str = "",
    max_degree: float | None = None,
    highlight: dict[str, str] | None = None,
    labels: np.ndarray | None = None,
) -> None:
    """Draw one hive plot of an undirected network on ``ax``.

    Nodes sit on the axis of their group at a radius growing with degree (:func:`hive_positions`);
    ``highlight`` maps node labels to a text shown for them (e.g. the most-tied parties). Those
    labels are set outside the hive, stacked by the axis they belong to, with a thin leader line,
    so they never cover each other or the edges.
    """
    A = sp.csr_matrix(adjacency)
    degree = np.asarray(A.sum(axis=1)).ravel()
    pos = hive_positions(groups, degree, axis_order, max_degree)
    k = len(axis_order)
    for a, g in enumerate(axis_order):
        th = np.pi / 2 - 2 * np.pi * a / k
        ax.plot(
            [INNER * np.cos(th), 1.02 * np.cos(th)],
            [INNER * np.sin(th), 1.02 * np.sin(th)],
            color="0.55",
            lw=0.8,
            zorder=1,
        )
        ax.text(
            1.14 * np.cos(th),
            1.14 * np.sin(th),
            g,
            ha="center",
            va="center",
            fontsize=7,
            color="0.2",
            fontweight="bold",
        )
    rows, cols = sp.triu(A, 1).nonzero()
    for i, j in zip(rows, cols):
        p, q = pos[i], pos[j]
        mid = (p + q) / 2
        if groups[i] == groups[j]:
            # same axis: bend outwards, perpendicular to the axis
            normal = np.array([-mid[1], mid[0]])
            control = mid + 0.25 * normal / (np.linalg.norm(normal) + 1e-9) * np.linalg.norm(p - q)
        else:
            control = mid * 0.35  # pull towards the centre so curves stay inside the hive
        path = MplPath([p, control, q], [MplPath.MOVETO, MplPath.CURVE3, MplPath.CURVE3])
        ax.add_patch(PathPatch(path, fill=False, lw=0.3, alpha=0.3, color="#0072B2", zorder=2))
    ax.scatter(pos[:, 0], pos[:, 1], s=3 + 1.5 * np.sqrt(degree), c="#D55E00", zorder=3, linewidths=0)
    if highlight and labels is not None:
        per_axis: dict[str, int] = {}
        for lab, text in highlight.items():
            hit = np.flatnonzero(labels == lab)
            if not hit.size:
                continue
            node = hit[0]
            g = groups[node]
            slot = per_axis.get(g, 0)
            per_axis[g] = slot + 1
            th = np.pi / 2 - 2 * np.pi * axis_order.index(g) / k
            # stack the labels of one axis beside it, below its name and clear of each other
            side = np.array([np.cos(th - np.pi / 2), np.sin(th - np.pi / 2)])
            # stacked vertically on the page (labels are wider than tall, whatever the axis angle),
            # towards the centre, away from the axis name at the tip
            step = -0.17 if np.sin(th) > 0 else 0.17
            anchor = 0.9 * np.array([np.cos(th), np.sin(th)]) + side * 0.3 + np.array([0.0, step * slot])
            ax.annotate(
                text,
                xy=pos[node],
                xytext=anchor,
                fontsize=6,
                ha="center",
                va="center",
                zorder=4,
                arrowprops={"arrowstyle": "-", "lw": 0.4, "color": "0.4"},
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
            )
    ax.set_xlim(-1.3, 1.3)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)
