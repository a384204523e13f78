"""Terms defined only for directed networks that are not covariate terms: ``mutual``.

(The directed geometrically weighted terms live in :mod:`.gw`, the directed nodal
covariates ``nodeicov``/``nodeocov`` in :mod:`.dyad_independent`.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
import scipy.sparse as sp

from customsnet.modeling.terms.base import StepInputs, Term, column, tie_values


@numba.njit(cache=True)
def _mutual_change(adj, i, j, params, out):
    out[0] = adj[j, i]


@dataclass(frozen=True)
class Mutual(Term):
    """``mutual``: the number of reciprocated pairs; the change for ``i -> j`` is ``y_ji``."""

    r_name = "mutual"
    directed_only = True
    refused = {"same": "mutual(same=) is not supported", "by": "mutual(by=) is not supported",
               "diff": "mutual(diff=) is not supported", "keep": "mutual(keep=) is not supported"}

    def sampler_change(self, step: StepInputs):
        return _mutual_change, np.zeros(0)

    def fast_sampler_fields(self, coef: np.ndarray) -> dict[str, float] | None:
        return {"mutual_coef": float(coef[0])}

    def coef_names(self, directed: bool) -> list[str]:
        return ["mutual"]

    def to_r(self) -> str:
        return "mutual"

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        return column(tie_values(step.network, head, tail))

    def statistic(self, step: StepInputs) -> np.ndarray:
        a = sp.csr_matrix(step.network != 0, dtype=np.float64)
        # each reciprocated pair appears twice in A o A'
        return np.array([a.multiply(a.T).sum() / 2.0])
