"""``customsnet compare`` as a library call: one model fitted by several estimators, side by side.

The robustness check reviewers ask of an MPLE-based TERGM: the same formula on the same panel by
the bootstrapped MPLE and by MCMC-MLE, in one regression table. Each fit is saved as
``customsnet fit`` saves it (``<out>/<estimator>/fit.json`` and ``fit.csv``, labelled with the
estimator's name), so ``customsnet table`` can combine them with other saved fits later; the
table itself is written in every format of ``customsnet table`` (``<out>/compare.md``, ``.tex``,
``.html``, ``.csv``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from customsnet.workflows.fitting import FitOutcome, run_fit
from customsnet.workflows.inputs import PanelSource

if TYPE_CHECKING:
    from customsnet.report.tables import RegressionTable

#: column label of each estimator in the table (and the ``model`` saved with its fit)
ESTIMATOR_LABELS = {
    "mple": "MPLE",
    "btergm": "MPLE (btergm IRLS)",
    "formation": "Formation (MPLE)",
    "mcmle": "MCMC-MLE",
}
TABLE_SUFFIXES = {"markdown": ".md", "latex": ".tex", "html": ".html", "csv": ".csv"}
DEFAULT_ESTIMATORS = ("mple", "mcmle")


@dataclass
class ComparisonOutcome:
    """The fits by column label, the table, the files written and the warnings raised."""

    fits: dict[str, FitOutcome]
    table: RegressionTable
    files: list[Path]
    messages: list[str] = field(default_factory=list)

    @property
    def fit_paths(self) -> list[Path]:
        return [f.json_path for f in self.fits.values()]


def run_comparison(
    source: PanelSource,
    formula: str | None,
    out: Path,
    estimators: Sequence[str] = DEFAULT_ESTIMATORS,
    bootstrap: int = 100,
    seed: int | None = 1,
    jobs: int = 1,
    scheduler: str | None = None,
    mcmc: dict | None = None,
    interval: str = "mixed",
    stars: Sequence[float] | None = None,
    level: float = 0.95,
    caption: str = "",
    status: Callable[[str], None] | None = None,
) -> ComparisonOutcome:
    """Fit ``formula`` by each of ``estimators`` (same panel, same seed); save the fits and the table.

    ``bootstrap`` replications go to the MPLE-type estimators, ``mcmc`` settings to ``mcmle``;
    ``scheduler`` runs the replicates and the MCMC chains on a Dask cluster. ``interval`` is the
    table's :func:`~customsnet.report.tables.regression_table` setting (``"mixed"``: bootstrap
    intervals for the MPLE, standard errors including the MCMC error for the MCMC-MLE).
    """
    from customsnet.report.tables import DEFAULT_STARS, regression_table

    if not estimators:
        raise ValueError("compare needs at least one estimator")
    if len(set(estimators)) != len(estimators):
        raise ValueError(f"each estimator once, got {list(estimators)}")
    fits: dict[str, FitOutcome] = {}
    messages: list[str] = []
    for estimator in estimators:
        outcome = run_fit(
            source,
            formula,
            out / estimator,
            estimator=estimator,
            bootstrap=bootstrap,
            seed=seed,
            jobs=jobs,
            scheduler=scheduler,
            status=status,
            mcmc=mcmc,
        )
        label = ESTIMATOR_LABELS.get(estimator, estimator)
        # saved again with its column label, so `customsnet table` names the column the same way
        outcome.result.meta["model"] = label
        outcome.result.save(outcome.json_path)
        fits[label] = outcome
        messages += [f"{label}: {m}" for m in dict.fromkeys(outcome.messages)]
    table = regression_table(
        {label: f.result for label, f in fits.items()},
        interval=interval,
        stars=DEFAULT_STARS if stars is None else stars,
        level=level,
    )
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for fmt, suffix in TABLE_SUFFIXES.items():
        path = out / f"compare{suffix}"
        path.write_text(table.render(fmt, caption=caption), encoding="utf-8")
        files.append(path)
    return ComparisonOutcome(fits, table, files, messages)
