"""The model API: ``TERGM(formula, ...).fit(panel) -> FitResult``, in statsmodels' Model -> Results manner.

One object holds the model's explicit parameters (scikit-learn style: validated at the boundary,
``get_params``/``set_params`` from the constructor's signature); ``fit`` never changes its inputs
and returns the results object. Which function estimates comes from the estimator table
(:data:`customsnet.modeling.estimation.estimators.ESTIMATORS`): the MPLE family runs on the design
(:func:`~customsnet.modeling.estimation.fit.fit_tergm`), ``mcmle`` simulates and so needs the panel
(:func:`~customsnet.modeling.estimation.mcmle.fit_mcmle`).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import numpy as np

from customsnet.modeling.design.build import build_design
from customsnet.modeling.design.design import Design
from customsnet.modeling.estimation.bootstrap import Progress
from customsnet.modeling.estimation.estimators import ESTIMATORS
from customsnet.modeling.estimation.fit import EstimationError, fit_tergm
from customsnet.modeling.results import FitResult

__all__ = ["TERGM"]


class TERGM:
    """A temporal ERGM: bootstrapped MPLE (``btergm``, ``mple``, ``formation``) or MCMC-MLE (``mcmle``).

    >>> model = TERGM("nets ~ edges + gwesp(0.5, fixed = TRUE) + memory()", estimator="mple", R=100, seed=1)
    >>> result = model.fit(panel)      # doctest: +SKIP
    >>> print(result.summary())        # doctest: +SKIP
    """

    def __init__(
        self,
        formula: str,
        estimator: str = "mple",
        R: int = 100,
        seed: int | None = None,
        n_jobs: int = 1,
        scheduler: Any = None,
        level: float = 0.95,
        mcmc: Any = None,
        naming: str = "ergm4.4",
        offset_coef: Any = None,
        offset: bool = False,
    ) -> None:
        if estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
        self.formula = formula
        self.estimator = estimator
        self.R = R
        self.seed = seed
        self.n_jobs = n_jobs
        self.scheduler = scheduler
        self.level = level
        self.mcmc = mcmc  # MCMLEControl for estimator="mcmle" (None: its defaults)
        self.naming = naming  # coefficient-name convention ("ergm4.4" or "ergm4.5", see terms.formula.NAMINGS)
        # fixed coefficients of offset() terms (ergm's offset.coef; -inf: structural zeros)
        self.offset_coef = offset_coef
        self.offset = offset  # btergm's offset = TRUE composition (union of nodes, structural zeros)
        self.result_: FitResult | None = None

    def design(self, panel: Any) -> Design:
        """The MPLE design of ``panel`` under this model's formula (via ``build_design``).

        A separable formula (``Form(~ …) + Persist(~ …)``) gives the conditional MPLE's block design.
        """
        from customsnet.modeling.estimation.separable import is_separable, separable_design

        if is_separable(self.formula):
            return separable_design(panel, self.formula)
        return build_design(panel, self._formula(), compress=True, offset=self.offset)

    def _formula(self):
        """The formula under this model's naming convention (a Formula; separable formulas stay text)."""
        from customsnet.modeling.estimation.separable import is_separable
        from customsnet.modeling.terms.formula import as_formula

        return self.formula if is_separable(self.formula) else as_formula(self.formula, naming=self.naming)

    def fit(self, data: Any, boot_indices: np.ndarray | None = None, progress: Progress | None = None) -> FitResult:
        """Fit to a Panel (design built from the formula) or directly to a Design; returns the results.

        A Design passed in is not changed (a design without a formula is fitted as a copy that
        carries this model's formula). ``progress`` (``start(description, total) -> advance(n)``)
        follows the bootstrap replicates, or the MCMC-MLE iterations.
        """
        if self.estimator == "mcmle":
            if isinstance(data, Design):
                raise EstimationError("estimator 'mcmle' needs the panel (it simulates networks), not a Design")
            from customsnet.modeling.estimation.mcmle import fit_mcmle, mcmle_iterations

            self.result_ = fit_mcmle(
                data,
                self._formula(),
                control=self.mcmc,
                seed=self.seed,
                n_jobs=self.n_jobs,
                level=self.level,
                progress=mcmle_iterations(progress, self.mcmc),
                scheduler=self.scheduler,
            )
            return self.result_
        design = data if isinstance(data, Design) else self.design(data)
        if not design.formula:
            design = dataclasses.replace(design, formula=str(self._formula()))
        self.result_ = fit_tergm(
            design,
            estimator=self.estimator,
            bootstrap=self.R,
            seed=self.seed,
            n_jobs=self.n_jobs,
            scheduler=self.scheduler,
            boot_indices=boot_indices,
            level=self.level,
            offset_coef=self.offset_coef,
            progress=progress,
        )
        return self.result_

    @classmethod
    def _param_names(cls) -> list[str]:
        return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters (scikit-learn convention)."""
        return {k: getattr(self, k) for k in self._param_names()}

    def set_params(self, **params: Any) -> TERGM:
        """Change constructor parameters (scikit-learn convention); unknown names raise."""
        allowed = self._param_names()
        for key, value in params.items():
            if key not in allowed:
                raise ValueError(f"unknown parameter {key!r} for TERGM (parameters: {', '.join(allowed)})")
            if key == "estimator" and value not in ESTIMATORS:
                raise ValueError(f"estimator must be one of {ESTIMATORS}, got {value!r}")
            setattr(self, key, value)
        return self

    @property
    def params_(self):
        if self.result_ is None:
            raise AttributeError("TERGM is not fitted yet: call fit() first")
        return self.result_.params

    def __repr__(self) -> str:
        return (
            f"TERGM({self.formula!r}, estimator={self.estimator!r}, R={self.R}, seed={self.seed}, n_jobs={self.n_jobs})"
        )
