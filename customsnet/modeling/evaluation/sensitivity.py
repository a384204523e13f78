"""Sensitivity to mismeasured ties: rewire a share of the outcome network at random and refit.

The study's robustness check replaces 10%, 20%, ..., 90% of the ties by random ones and asks
whether the network effects (gwesp, gwdegree, memory) survive. If an effect is a property of
the observed structure it must fade as the share of random ties grows; if it stays put, it is
an artefact of the model (e.g. memory under separation) rather than of the data.

Keeping the panel's temporal logic coherent
-------------------------------------------
A panel is not a stack of independent networks: in CMAA data a tie, once formed, never
dissolves, and ``memory`` reads each year's network from the year before. Rewiring every year
independently ("per-year") would make random ties flicker in and out, inventing dissolutions
the data never has, so memory would measure our noise rather than persistence. The default
scheme therefore rewires **tie spells** (``scheme="events"``):

* A spell is a maximal run of consecutive panel years in which a pair is tied. In CMAA data
  every spell starts with a formation event (or with the first panel year, for ties already
  in force) and runs to the end of the panel.
* For each share and each start year ``t``, ``round(share * n_t)`` of the ``n_t`` spells
  starting in ``t`` are chosen uniformly. Each chosen spell is replaced by a pair drawn
  uniformly from the dyads that are untied in the observed network, and not yet taken by
  another replacement, in *every* year of the spell (both nodes present throughout) and in
  the years just before and after it (so replacements never merge into longer spells). The
  replacement is tied exactly for the spell's years: it forms when the original formed and
  persists (or dissolves) when the original does.
* Hence in every year the number of ties, of formations and of dissolutions is unchanged, no
  tie dissolves that did not dissolve before, and the share of rewired ties in year ``t`` is
  the count-weighted average of the per-start-year shares, i.e. ``share`` up to rounding.
  Memory keeps its meaning (persistence), while triadic closure among the replaced ties is
  destroyed.

``scheme="per-year"`` is the naive reading: each year on its own, remove ``round(share * m_t)``
of its ``m_t`` ties and add as many pairs drawn uniformly from that year's untied dyads.

New ties are never drawn from dyads tied in the observed network in the years concerned, so
every added tie is a genuinely false tie; self-loops and duplicates cannot occur. Randomness:
each (share, repetition) cell draws from ``numpy.random.default_rng([seed, share in 1e-4
units, rep])``, so a cell's panel does not depend on which other shares were requested; the
seeds are recorded in the panel's ``meta`` and in the study table's ``attrs``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from matplotlib.figure import Figure

from customsnet.modeling.design.build import build_design
from customsnet.modeling.estimation.fit import fit_tergm
from customsnet.modeling.evaluation.plots import save_figure
from customsnet.modeling.panel.panel import Panel
from customsnet.modeling.parallel import Progress, map_tasks
from customsnet.modeling.terms.formula import Formula, as_formula

SCHEMES = ("events", "per-year")
DEFAULT_SHARES = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
STUDY_COLUMNS = ["share", "rep", "term", "estimate", "lower", "upper"]


class RewiringError(ValueError):
    """A rewiring request cannot be met (bad share or scheme, or too few untied dyads)."""


# ------------------------------------------------------------------------------ dyad cells
def _cell_layout(panel: Panel) -> tuple[np.ndarray, np.ndarray]:
    """All labels of the panel (sorted) and a (T, N*N) mask of usable dyad cells.

    A cell ``i * N + j`` is a usable dyad in year ``t`` when ``i != j`` (``i < j`` if undirected)
    and both nodes are present that year.
    """
    labels = np.unique(np.concatenate([panel.nodes[y] for y in panel.years]))
    present = np.stack([np.isin(labels, panel.nodes[y]) for y in panel.years])
    n = len(labels)
    shape_ok = ~np.eye(n, dtype=bool) if panel.directed else np.triu(np.ones((n, n), dtype=bool), 1)
    usable = (present[:, :, None] & present[:, None, :] & shape_ok[None]).reshape(len(panel.years), n * n)
    return labels, usable


def _tie_cells(panel: Panel, lhs: str, labels: np.ndarray) -> np.ndarray:
    """(T, N*N) boolean matrix of the observed ties, on the panel-wide label index."""
    n = len(labels)
    ties = np.zeros((len(panel.years), n * n), dtype=bool)
    for t, year in enumerate(panel.years):
        coo = panel.network(lhs, year).tocoo()
        glob = np.searchsorted(labels, panel.nodes[year])
        i, j = glob[coo.row], glob[coo.col]
        if not panel.directed:
            i, j = np.minimum(i, j), np.maximum(i, j)
        ties[t, i * n + j] = True
    return ties


def _cells_to_network(cells: np.ndarray, labels: np.ndarray, year_labels: np.ndarray, directed: bool) -> sp.csr_matrix:
    """A year's adjacency (aligned to ``year_labels``) from its tied cells on the global index."""
    n = len(labels)
    local = np.full(n, -1, dtype=np.int64)
    local[np.searchsorted(labels, year_labels)] = np.arange(len(year_labels))
    i, j = np.divmod(np.flatnonzero(cells), n)
    rows, cols = local[i], local[j]
    if np.any(rows < 0) or np.any(cols < 0):
        raise RewiringError("internal error: a rewired tie touches a node absent that year")
    if not directed:
        rows, cols = np.concatenate([rows, cols]), np.concatenate([cols, rows])
    m = len(year_labels)
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(m, m))


def _n_rewired(share: float, n: int) -> int:
    """``share * n`` rounded half up (not Python's half-to-even, so 0.5 * 3 rewires 2)."""
    return int(np.floor(share * n + 0.5))


# ------------------------------------------------------------------------------ spells
def tie_spells(ties: np.ndarray) -> pd.DataFrame:
    """Maximal runs of consecutive tied years per cell: columns ``cell, start, end`` (year positions)."""
    before = np.zeros_like(ties[:1])
    starts = ties & ~np.vstack([before, ties[:-1]])
    ends = ties & ~np.vstack([ties[1:], before])
    s_t, s_c = np.nonzero(starts)
    e_t, e_c = np.nonzero(ends)
    # per cell, the k-th start belongs to the k-th end; sorting both by (cell, year) aligns them
    s_order = np.lexsort((s_t, s_c))
    e_order = np.lexsort((e_t, e_c))
    return pd.DataFrame({"cell": s_c[s_order], "start": s_t[s_order], "end": e_t[e_order]})


def _draw(rng: np.random.Generator, candidates: np.ndarray, k: int, what: str) -> np.ndarray:
    if len(candidates) < k:
        raise RewiringError(f"{what}: {k} new ties are needed but only {len(candidates)} untied dyads are free")
    return rng.choice(candidates, size=k, replace=False) if k else candidates[:0]


def _rewire_events(
    ties: np.ndarray, usable: np.ndarray, share: float, rng: np.random.Generator, years: Sequence[int]
) -> tuple[np.ndarray, dict[int, int]]:
    spells = tie_spells(ties)
    chosen = []
    for _, group in spells.groupby("start", sort=True):
        k = _n_rewired(share, len(group))
        chosen.append(group.iloc[np.sort(rng.choice(len(group), size=k, replace=False))])
    chosen_spells = pd.concat(chosen) if chosen else spells.iloc[:0]
    out = ties.copy()
    occupied = ties.copy()  # observed ties are never replacement candidates
    starts, ends, cells = (chosen_spells[c].to_numpy() for c in ("start", "end", "cell"))
    for t in range(len(years)):  # a loop over years, not ties
        out[t, cells[(starts <= t) & (ends >= t)]] = False
    # spells sharing (start, end) share a candidate set: draw them together, chronologically
    for (start, end), group in chosen_spells.groupby(["start", "end"], sort=True):
        span = slice(start, end + 1)
        free = np.logical_and.reduce(usable[span] & ~occupied[span], axis=0)
        # the pair must also be untied in the years just before and after the spell, or the
        # replacement would merge with a neighbouring spell and a formation/dissolution is lost
        for edge in (start - 1, end + 1):
            if 0 <= edge < len(years):
                free &= ~occupied[edge]
        what = f"rewiring spells {years[start]}-{years[end]}"
        picks = _draw(rng, np.flatnonzero(free), len(group), what)
        out[span, picks] = True
        occupied[span, picks] = True
    per_year = {int(y): int((ties[t] & ~out[t]).sum()) for t, y in enumerate(years)}
    return out, per_year


def _rewire_per_year(
    ties: np.ndarray, usable: np.ndarray, share: float, rng: np.random.Generator, years: Sequence[int]
) -> tuple[np.ndarray, dict[int, int]]:
    out = ties.copy()
    per_year = {}
    for t, year in enumerate(years):
        tied = np.flatnonzero(ties[t])
        k = _n_rewired(share, len(tied))
        removed = rng.choice(tied, size=k, replace=False) if k else tied[:0]
        added = _draw(rng, np.flatnonzero(usable[t] & ~ties[t]), k, f"rewiring year {year}")
        out[t, removed] = False
        out[t, added] = True
        per_year[int(year)] = k
    return out, per_year


def rewire_panel(
    panel: Panel, network: str, share: float, seed: int | Sequence[int] | None = None, scheme: str = "events"
) -> Panel:
    """A copy of ``panel`` whose ``network`` has ``share`` of its ties rewired at random.

    ``scheme="events"`` (default) rewires tie spells so ties keep persisting; ``"per-year"``
    rewires each year independently (see the module docstring). Other networks, covariates and
    attributes are shared with ``panel`` unchanged. ``meta["rewiring"]`` records the scheme,
    share, seed and the number of removed ties per year.
    """
    if scheme not in SCHEMES:
        raise RewiringError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    if not 0.0 <= share <= 1.0:
        raise RewiringError(f"share must be between 0 and 1, got {share}")
    if network not in panel.networks:
        raise RewiringError(f"the panel has no network {network!r} (networks: {sorted(panel.networks)})")
    rng = np.random.default_rng(seed)
    labels, usable = _cell_layout(panel)
    ties = _tie_cells(panel, network, labels)
    rewire = _rewire_events if scheme == "events" else _rewire_per_year
    cells, per_year = rewire(ties, usable, share, rng, panel.years)
    rewired = {
        y: _cells_to_network(cells[t], labels, panel.nodes[y], panel.directed) for t, y in enumerate(panel.years)
    }
    meta = dict(panel.meta)
    meta["rewiring"] = {
        "network": network,
        "scheme": scheme,
        "share": float(share),
        "seed": seed if seed is None or isinstance(seed, int) else list(seed),
        "removed_per_year": per_year,
    }
    return Panel(
        years=list(panel.years),
        nodes=dict(panel.nodes),
        networks={**panel.networks, network: rewired},
        dyad_covs=panel.dyad_covs,
        node_attrs=panel.node_attrs,
        directed=panel.directed,
        missing=list(panel.missing),
        meta=meta,
    )


# ------------------------------------------------------------------------------ the study
def network_term_names(formula: Formula, directed: bool) -> list[str]:
    """Coefficient names of the formula's network (endogenous and temporal) terms.

    Each term says whether it reads the response network or earlier networks
    (:attr:`~customsnet.modeling.terms.base.Term.reads_network`): what rewiring should disturb.
    """
    return [name for term in formula.terms if term.reads_network for name in term.coef_names(directed)]


def _select_rows(table: pd.DataFrame, wanted: list[str] | None) -> pd.DataFrame:
    """Rows of a ``FitResult.tidy()`` table for ``wanted`` terms, plus identified combinations involving them."""
    if wanted is None:
        return table
    keep = table["term"].map(lambda name: name in wanted or any(w in name.split(" - ") for w in wanted))
    return table[keep]


def cell_seed(seed: int, share: float, rep: int) -> list[int]:
    """The seed of one (share, repetition) cell: independent of the other shares requested."""
    return [int(seed), int(round(share * 10_000)), int(rep)]


def _refit_cell(
    panel: Panel,
    formula: Formula,
    share: float,
    rep: int,
    options: dict,
    wanted: list[str] | None,
) -> tuple[pd.DataFrame | None, dict | None, list[tuple[type[Warning], str]]]:
    """One (share, repetition) refit (a task of :func:`rewiring_study`): its rows, or its failure.

    Warnings are returned rather than shown, so they reach the caller from a worker process too.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            data = (
                panel
                if share == 0
                else rewire_panel(panel, formula.lhs, share, cell_seed(options["seed"], share, rep), options["scheme"])
            )
            design = build_design(data, formula, compress=True, missing=options["missing"])
            result = fit_tergm(
                design,
                estimator=options["estimator"],
                bootstrap=options["bootstrap"],
                seed=options["seed"],
                n_jobs=options["n_jobs"],
                level=options["level"],
            )
            rows, failed = _select_rows(result.tidy(options["level"]), wanted).assign(share=share, rep=rep), None
        except Exception as exc:  # noqa: BLE001 - one failed refit must not lose the finished ones
            # a rewired panel can defeat a numerical step (e.g. the separation LP); record it, go on
            rows, failed = None, {"share": share, "rep": rep, "error": f"{type(exc).__name__}: {exc}"}
    return rows, failed, [(w.category, str(w.message)) for w in caught]


def rewiring_study(
    panel: Panel,
    formula: Formula | str,
    shares: Iterable[float] = DEFAULT_SHARES,
    reps: int = 1,
    scheme: str = "events",
    estimator: str = "mple",
    bootstrap: int = 0,
    seed: int = 0,
    level: float = 0.95,
    terms: str | Sequence[str] = "network",
    n_jobs: int = 1,
    missing: str = "error",
    scheduler: object | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Refit ``formula`` on panels with ``shares`` of the outcome ties rewired; tidy estimates.

    The baseline (share 0, rep 0) is the fit on the observed panel. Each positive share is
    rewired ``reps`` times with seeds :func:`cell_seed`; every fit bootstraps with the same
    ``seed`` so differences come from the rewiring only. ``terms`` is ``"network"`` (the
    network terms and identified combinations involving them), ``"all"``, or a list of
    coefficient names. Returns columns ``share, rep, term, estimate, lower, upper`` (NaN
    where a coefficient is not identified or there is no bootstrap); the settings are in
    ``frame.attrs``. A refit that fails (an estimation or LP error on one rewired panel) is
    left out of the table and listed in ``frame.attrs["failed"]`` (share, rep, error); the
    study fails only when every fit does.

    The refits run on ``n_jobs`` local processes or on the Dask ``scheduler`` (address or
    ``distributed.Client``); each fit then bootstraps in one thread. With ``n_jobs=1`` and no
    scheduler they run here and each fit's bootstrap is what gets ``n_jobs``. Every cell has its
    own seeds, so the table is the same either way. ``progress`` (``start(description, total) ->
    advance(n)``) counts the finished fits.
    """
    formula = as_formula(formula)
    wanted: list[str] | None
    if terms == "network":
        wanted = network_term_names(formula, panel.directed)
        if not wanted:
            raise RewiringError(f"the formula {formula} has no network terms; pass terms='all' or a list")
    elif terms == "all":
        wanted = None
    else:
        wanted = list(terms)
    if reps < 1:
        raise RewiringError(f"reps must be at least 1, got {reps}")
    cells = [(0.0, 0)] + [(float(s), r) for s in shares if float(s) > 0 for r in range(reps)]
    spread = scheduler is not None or n_jobs > 1
    options = {
        "seed": seed,
        "scheme": scheme,
        "missing": missing,
        "estimator": estimator,
        "bootstrap": bootstrap,
        "level": level,
        "n_jobs": 1 if spread else n_jobs,
    }
    outcomes = map_tasks(
        _refit_cell,
        [(panel, formula, share, rep, options, wanted) for share, rep in cells],
        n_jobs=n_jobs,
        scheduler=scheduler,
        progress=progress,
        description=f"sensitivity ({estimator}, R = {bootstrap})",
    )
    frames, failed = [], []
    for rows, failure, caught in outcomes:
        for category, message in caught:
            warnings.warn(message, category, stacklevel=2)
        if failure is not None:
            failed.append(failure)
        else:
            frames.append(rows)
    if not frames:
        raise RewiringError(f"every refit failed (first, share {failed[0]['share']:g}: {failed[0]['error']})")
    frame = pd.concat(frames, ignore_index=True)[STUDY_COLUMNS]
    frame.attrs.update(
        {
            "formula": str(formula),
            "scheme": scheme,
            "estimator": estimator,
            "bootstrap": bootstrap,
            "seed": seed,
            "level": level,
            "reps": reps,
            "n_jobs": n_jobs,
            "scheduler": scheduler if scheduler is None or isinstance(scheduler, str) else repr(scheduler),
            "failed": failed,
        }
    )
    return frame


def summarize_study(frame: pd.DataFrame) -> pd.DataFrame:
    """Per share and term: mean estimate, its spread over repetitions (sd), mean interval, reps."""
    grouped = frame.groupby(["share", "term"], sort=False)
    return (
        pd.DataFrame(
            {
                "estimate": grouped["estimate"].mean(),
                "sd": grouped["estimate"].std(ddof=1),
                "lower": grouped["lower"].mean(),
                "upper": grouped["upper"].mean(),
                "reps": grouped["estimate"].size(),
            }
        )
        .reset_index()
        .sort_values(["term", "share"], kind="stable")
        .reset_index(drop=True)
    )


def sensitivity_figure(frame: pd.DataFrame, title: str = "") -> Figure:
    """The study's Figure A2: estimate against the share of rewired ties, one panel per term.

    Per share: the mean estimate over repetitions (line), its spread (band of ±1 sd over the
    repetitions, when there are several), each repetition (small dots) and the mean bootstrap
    interval (whiskers, when bootstrapped). The observed-data estimate is the dashed line, its
    interval the grey band.
    """
    from customsnet.modeling.evaluation import plots

    terms = list(dict.fromkeys(frame["term"]))
    if not terms:
        raise ValueError("the study table is empty")
    summary = summarize_study(frame)
    ncols = min(3, len(terms))
    nrows = -(-len(terms) // ncols)
    with plots.publication_style():
        fig = plots.new_figure(plots.DOUBLE_COLUMN, 0.6 + 1.9 * nrows)
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, term in zip(axes, terms):
            sub = frame[frame["term"] == term]
            base = sub[sub["share"] == 0]
            if len(base) and np.isfinite(base["estimate"].iloc[0]):
                b = base.iloc[0]
                ax.axhline(b["estimate"], color="#444444", ls="--", lw=0.8, label="observed data (share 0)")
                if np.isfinite(b["lower"]) and np.isfinite(b["upper"]):
                    ax.axhspan(b["lower"], b["upper"], color="#bbbbbb", alpha=0.35, lw=0, label="its interval")
            rest = sub[sub["share"] > 0]
            ax.plot(rest["share"], rest["estimate"], "o", color="#0072B2", ms=1.8, alpha=0.5, label="one repetition")
            m = summary[(summary["term"] == term)].sort_values("share")
            x = m["share"].to_numpy(float)
            est, sd = m["estimate"].to_numpy(float), m["sd"].to_numpy(float)
            if np.isfinite(sd).any():
                ax.fill_between(
                    x,
                    est - np.nan_to_num(sd),
                    est + np.nan_to_num(sd),
                    color="#E69F00",
                    alpha=0.3,
                    lw=0,
                    label="±1 sd over repetitions",
                )
            lo, hi = m["lower"].to_numpy(float), m["upper"].to_numpy(float)
            ci = np.isfinite(est) & np.isfinite(lo) & np.isfinite(hi) & (x > 0)
            if ci.any():
                ax.errorbar(
                    x[ci],
                    (lo[ci] + hi[ci]) / 2,
                    yerr=(hi[ci] - lo[ci]) / 2,
                    fmt="none",
                    ecolor="#D55E00",
                    elinewidth=0.7,
                    capsize=1.5,
                    label="mean bootstrap interval",
                )
            ax.plot(x, est, "-", color="#D55E00", lw=1.2, label="mean over repetitions")
            ax.axhline(0.0, color="#999999", lw=0.5)
            if not np.isfinite(sub["estimate"].to_numpy(float)).any():
                ax.text(
                    0.5,
                    0.6,
                    "no estimate at any share\n(not identified)",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="#555555",
                    transform=ax.transAxes,
                )
            ax.set_title(term)
            ax.set_xlabel("share of ties rewired")
            ax.set_ylabel("estimate")
            ax.set_xlim(-0.03, 1.03)
        for ax in axes[len(terms) :]:
            ax.set_visible(False)
        handles = {}
        for ax in axes[: len(terms)]:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(lab, h)
        plots.outside_legend(fig, list(handles.values()), list(handles), ncol=3)
        if title:
            fig.suptitle(title)
    return fig


def plot_sensitivity(frame: pd.DataFrame, path: str | Path, title: str = "") -> list[Path]:
    """:func:`sensitivity_figure` written to ``path`` (format by extension; PNG + PDF without one)."""
    return save_figure(sensitivity_figure(frame, title), path)
