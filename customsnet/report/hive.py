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


def hive_positions(groups: np.ndarray, values: np.ndarray, axis_order: list[str], max_value: float | None = None) -> np.ndarray:
    """(x, y) of each node: axis angle by group, radius by ``values`` (scaled to [0.15, 1])."""
    k = len(axis_order)
    angle = {g: np.pi / 2 - 2 * np.pi * a / k for a, g in enumerate(axis_order)}
    vmax = max_value if max_value is not None else max(float(np.max(values)) if len(values) else 1.0, 1.0)
    radius = 0.15 + 0.85 * np.asarray(values, dtype=float) / vmax
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

    Nodes sit on the axis of their group at a radius growing with degree; ``highlight`` maps node
    labels to a text shown next to them (e.g. the most popular parties).
    """
    A = sp.csr_matrix(adjacency)
    degree = np.asarray(A.sum(axis=1)).ravel()
    pos = hive_positions(groups, degree, axis_order, max_degree)
    k = len(axis_order)
    for a, g in enumerate(axis_order):
        th = np.pi / 2 - 2 * np.pi * a / k
        ax.plot([0.15 * np.cos(th), 1.05 * np.cos(th)], [0.15 * np.sin(th), 1.05 * np.sin(th)], color="0.6", lw=1.0, zorder=1)
        ax.text(1.2 * np.cos(th), 1.2 * np.sin(th), g, ha="center", va="center", fontsize=7, color="0.25")
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
        ax.add_patch(PathPatch(path, fill=False, lw=0.35, alpha=0.35, color="#1f5fa8", zorder=2))
    ax.scatter(pos[:, 0], pos[:, 1], s=6 + 2.5 * np.sqrt(degree), c="#c0392b", zorder=3, linewidths=0)
    if highlight and labels is not None:
        for lab, text in highlight.items():
            hit = np.flatnonzero(labels == lab)
            if hit.size:
                x, y = pos[hit[0]]
                ax.annotate(text, (x, y), xytext=(3, 3), textcoords="offset points", fontsize=6)
    ax.set_xlim(-1.35, 1.35)
    ax.set_ylim(-1.35, 1.35)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=9)
