"""Sufficient statistics of the pooled temporal ERGM, sampled by the TNT chains of :mod:`.simulate`.

btergm's ``mtergm`` treats the modeled years as one block-diagonal network whose dyads across
years are fixed at 0. Every term of a TERGM formula lives inside one block (covariates, lagged
networks and shared partners are all within a year), so the pooled model factorises: its
sample is one independent chain per year, all at the same coefficients, and the pooled
statistic is the sum of the years' statistics. This module holds one year's model
(:class:`StepModel`), runs its chains and returns statistics per draw, in coefficient order.

Dyad-independent terms (edges, edgecov, memory, delrecip, absdiff, timecov, ...) are evaluated
for every dyad of the year once, with the design's own term code, exactly as the MPLE design
evaluates them; their statistic for a sampled network is the sum of those values over its
ties. The dependence terms (gwesp, gwdegree, gwidegree, gwodegree, mutual) are tracked by the
sampler itself; when a formula has any other dependent term (gwdsp, esp(d), degree(d), ...), every
dependent term runs through the sampler's generic kernel instead (each term's own per-dyad change
function, :class:`~customsnet.modeling.simulation.simulate.GenericChainState`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from customsnet.modeling.simulation.simulate import (
    ErgmModel,
    SamplerTerm,
    SimulationError,
    chain_state,
    network_statistics,
)
from customsnet.modeling.terms.base import StepInputs, TermError, all_dyads

#: a dependence coefficient of exactly 0 would switch the sampler's change statistic off (and with
#: it the running statistic); it is replaced by this value, whose effect on any acceptance
#: probability is below 1e-12 relative
TINY_COEF = 1e-300


@dataclass
class DependenceTerm:
    """A term the sampler tracks itself: its kind (sampler field prefix), coefficient position and decay."""

    kind: str  # "gwesp", "gwdegree", "gwidegree", "gwodegree", "mutual"
    position: int
    decay: float = 0.0


@dataclass
class StepModel:
    """One modeled year of the pooled model: dyad values of the independent terms, dependence terms, y_obs."""

    year: int
    n: int
    directed: bool
    observed: sp.csr_matrix
    dyad_values: np.ndarray  # (n_dyads, k_independent), rows in all_dyads order
    independent: np.ndarray  # coefficient positions of the dyad_values columns
    dependence: list[DependenceTerm]
    n_params: int
    #: every dependent term with its first coefficient position, when they run through the generic
    #: kernel (then ``dependence`` is empty); ``step`` is the year's inputs their change functions read
    generic: list[tuple[object, int]] = field(default_factory=list)
    step: StepInputs | None = None

    @classmethod
    def from_step(cls, formula, step: StepInputs) -> StepModel:
        """Split ``formula``'s terms for ``step`` (a :func:`~customsnet.modeling.design.build.step_inputs` cut)."""
        from customsnet.modeling.terms import (
            GWESP,
            GWDegree,
            GWIDegree,
            GWODegree,
            Mutual,
        )
        from customsnet.modeling.terms.dyad_independent import DyadIndependent

        kinds = ((GWESP, "gwesp"), (GWDegree, "gwdegree"), (GWIDegree, "gwidegree"), (GWODegree, "gwodegree"))
        tail, head = all_dyads(step.n, step.directed)
        columns, positions, dependence, dependent = [], [], [], []
        any_generic = False
        k = 0
        for term in formula.terms:
            width = term.n_stats
            kind = next((name for klass, name in kinds if isinstance(term, klass)), None)
            if isinstance(term, Mutual):
                kind = "mutual"
            if isinstance(term, DyadIndependent):
                values = np.asarray(term.change_stats(step, tail, head), dtype=np.float64).reshape(len(tail), width)
                if np.isnan(values).any():
                    raise SimulationError(f"term {term.to_r()} has missing values in year {step.year}")
                columns.append(values)
                positions.extend(range(k, k + width))
            elif term.dependent:
                dependent.append((term, k))
                # the specialised kernels know these terms only in their plain form (gwesp OTP/UTP,
                # mutual without attributes): each term says so itself
                if kind is None or term.fast_sampler_fields(np.ones(width)) is None:
                    any_generic = True
                else:
                    decay = float(term.decay) if kind != "mutual" else 0.0
                    dependence.append(DependenceTerm(kind, k, decay))
            else:
                raise SimulationError(f"term {term.to_r()} cannot be estimated by MCMC-MLE")
            k += width
        if any_generic:
            for term, _ in dependent:
                try:
                    term.sampler_change(step)
                except (NotImplementedError, TermError) as exc:
                    raise SimulationError(
                        f"term {term.to_r()} cannot be estimated by MCMC-MLE (the sampler has no change "
                        f"function for it: {exc})"
                    ) from None
            dependence = []
        values = np.hstack(columns) if columns else np.zeros((len(tail), 0))
        observed = sp.csr_matrix(step.network, dtype=np.float64)
        observed.data[:] = 1.0
        return cls(
            step.year,
            step.n,
            step.directed,
            observed,
            values,
            np.asarray(positions, dtype=np.int64),
            dependence,
            k,
            generic=dependent if any_generic else [],
            step=step if any_generic else None,
        )

    # ------------------------------------------------------------------ the model at theta
    def ergm_model(self, theta: np.ndarray) -> ErgmModel:
        """The sampler's model of this year at coefficients ``theta`` (coefficient order)."""
        theta = np.asarray(theta, dtype=np.float64)
        tail, head = all_dyads(self.n, self.directed)
        logodds = np.zeros((self.n, self.n))
        logodds[tail, head] = self.dyad_values @ theta[self.independent]
        if not self.directed:
            logodds = logodds + logodds.T
        if self.generic:
            terms = tuple(SamplerTerm.of(t, self.step, theta[k : k + t.n_stats]) for t, k in self.generic)
            return ErgmModel(logodds, directed=self.directed, generic=terms)
        fields: dict[str, float] = {}
        for d in self.dependence:
            coef = float(theta[d.position])
            fields[f"{d.kind}_coef"] = coef if coef != 0.0 else TINY_COEF
            if d.kind != "mutual":
                fields[f"{d.kind}_decay"] = d.decay
        return ErgmModel(logodds, directed=self.directed, **fields)

    # ------------------------------------------------------------------ statistics
    def dyad_index(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Row of each dyad in ``all_dyads`` order (undirected: ``tail < head``)."""
        n = self.n
        tail = tail.astype(np.int64)
        head = head.astype(np.int64)
        if self.directed:
            return tail * (n - 1) + head - (head > tail)
        return tail * (2 * n - tail - 1) // 2 + (head - tail - 1)

    def independent_statistics(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Σ over the ties (tail, head) of the dyad-independent terms' values."""
        return self.dyad_values[self.dyad_index(tail, head)].sum(axis=0)

    @property
    def n_stats(self) -> int:
        """Length of the statistic vector (equals ``n_params`` for a linear model)."""
        return self.n_params

    def draw_statistics(self, state, model: ErgmModel) -> np.ndarray:
        """g(y) of the chain's current network, read off the sampler's incremental state."""
        out = np.zeros(self.n_stats)
        ties = state.elist[: state.n_edges]
        out[self.independent] = self.independent_statistics(ties[:, 0], ties[:, 1])
        offset = 1  # the generic kernel's running statistics: edges, then each term's, in order
        for term, k in self.generic:
            out[k : k + term.n_stats] = state.running[offset : offset + term.n_stats]
            offset += term.n_stats
        for d in self.dependence:
            out[d.position] = state.running[model.stat_names.index(d.kind)]
        return out

    def observed_statistics(self) -> np.ndarray:
        """g(y_obs) of this year, in coefficient order (same code path as the sampled draws)."""
        coo = sp.triu(self.observed, k=1).tocoo() if not self.directed else self.observed.tocoo()
        out = np.zeros(self.n_params)
        out[self.independent] = self.independent_statistics(coo.row, coo.col)
        for term, k in self.generic:
            out[k : k + term.n_stats] = term.statistic(self.step.with_network(self.observed))
        if self.dependence:
            # the statistics do not depend on the coefficients; any non-zero value will do
            exact = network_statistics(self.observed, self.ergm_model(np.ones(self.n_params)))
            for d in self.dependence:
                out[d.position] = exact[d.kind]
        return out


@dataclass
class ChainDraws:
    """What one chain returns: statistics per draw, the network it ended in, its acceptance rate."""

    stats: np.ndarray  # (n_draws, p)
    end_edges: np.ndarray  # (m, 2) ties of the last state (tail, head)
    acceptance: float
    cpu_seconds: float = 0.0  # process CPU time of the chain (machine-load independent cost)


def run_chain(
    step: StepModel,
    theta: np.ndarray,
    start_edges: np.ndarray | None,
    n_draws: int,
    burnin: int,
    interval: int,
    seed: np.random.SeedSequence,
) -> ChainDraws:
    """Run one TNT chain of ``step`` at ``theta``: ``burnin`` proposals, then a draw every ``interval``.

    The chain starts at ``start_edges`` (ties as (tail, head) rows) or, when None, at the
    observed network (ergm's default).
    """
    cpu = time.process_time()
    model = step.ergm_model(theta)
    if start_edges is None:
        start = step.observed
    else:
        e = np.asarray(start_edges, dtype=np.int64).reshape(-1, 2)
        start = sp.csr_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])), shape=(step.n, step.n))
        if not step.directed:
            start = start + start.T
    state = chain_state(start, model)
    rng = np.random.default_rng(seed)
    accepted = state.run(burnin, rng)
    stats = np.zeros((n_draws, step.n_stats))
    for s in range(n_draws):
        accepted += state.run(interval, rng)
        stats[s] = step.draw_statistics(state, model)
    total = burnin + n_draws * interval
    return ChainDraws(
        stats, state.elist[: state.n_edges].copy(), accepted / total if total else 0.0, time.process_time() - cpu
    )
