"""What every TERGM term shares: the per-step inputs it reads and the small interface it offers.

A term is a frozen dataclass holding its btergm/ergm arguments. It knows

* its coefficient name(s), exactly as btergm prints them (:meth:`Term.coef_names`);
* its change statistics ``g(Y+_ij) - g(Y-_ij)`` for a batch of dyads of one step
  (:meth:`Term.change_stats`), computed with array operations for the whole batch;
* its network statistic ``g(Y)`` for one step (:meth:`Term.statistic`), used by the sampler,
  GOF and the brute-force tests;
* its R source form (:meth:`Term.to_r`), so a formula prints as R users would write it;
* its R name and formal arguments (:attr:`Term.r_name`, :attr:`Term.formals`, :attr:`Term.refused`),
  from which :func:`Term.from_call` builds it, the way ergm's ``InitErgmTerm.<name>`` reads a call;
* whether its change statistics depend on the response network (:attr:`Term.dependent`), and if
  so how the sampler recomputes them for one dyad (:meth:`Term.sampler_change`).

Every subclass that sets ``r_name`` is registered in :data:`REGISTRY` when it is defined
(``__init_subclass__``): formula parsing, the sampler, prediction, interpretation and the
sensitivity study look terms up there or ask the term, never a list of types.

Terms never see the :class:`~customsnet.modeling.panel.panel.Panel`; the design builder cuts one
:class:`StepInputs` per modeled year and hands it over.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from customsnet.modeling.terms.arguments import ArgumentError, Formal, match_arguments
from customsnet.modeling.terms.rsyntax import r_number


class TermError(ValueError):
    """A term is misused: wrong arguments, unsupported options, or inputs it cannot read."""


@dataclass
class StepInputs:
    """Everything a term may read for one modeled time step, aligned to ``nodes``.

    ``network`` is the 0/1 response network (symmetric when undirected). ``lagged[k]`` is the
    network ``k`` calendar steps earlier, already restricted and re-ordered to ``nodes``.
    ``time_index`` is the 1-based position of the year in the untrimmed list of ``n_times``
    years (btergm's ``timecov`` clock).
    """

    year: int
    nodes: np.ndarray
    network: sp.csr_matrix
    directed: bool = False
    lagged: dict[int, sp.csr_matrix] = field(default_factory=dict)
    dyad_covs: dict[str, np.ndarray] = field(default_factory=dict)
    node_attrs: dict[str, np.ndarray] = field(default_factory=dict)
    time_index: int = 1
    n_times: int = 1

    @property
    def n(self) -> int:
        return len(self.nodes)

    def with_network(self, network: sp.spmatrix) -> StepInputs:
        """The same step with another response network (used when toggling or simulating)."""
        return dataclasses.replace(self, network=sp.csr_matrix(network, dtype=np.float64))

    def dyad_cov(self, name: str, term: str) -> np.ndarray:
        try:
            return self.dyad_covs[name]
        except KeyError:
            raise TermError(
                f"term {term}: no dyadic covariate {name!r} for year {self.year} (available: {sorted(self.dyad_covs)})"
            ) from None

    def node_attr(self, name: str, term: str) -> np.ndarray:
        try:
            return self.node_attrs[name]
        except KeyError:
            raise TermError(
                f"term {term}: no node attribute {name!r} for year {self.year} (available: {sorted(self.node_attrs)})"
            ) from None

    def lagged_network(self, lag: int, term: str) -> sp.csr_matrix:
        try:
            return self.lagged[lag]
        except KeyError:
            raise TermError(f"term {term}: year {self.year} has no network lagged by {lag}") from None


def all_dyads(n: int, directed: bool) -> tuple[np.ndarray, np.ndarray]:
    """Every informative dyad of an ``n``-node network: ``i<j`` if undirected, ``i!=j`` if directed.

    Undirected dyads come in ergm's dyad-list order (by tail, then head).
    """
    if directed:
        tail, head = np.nonzero(~np.eye(n, dtype=bool))
        return tail.astype(np.int64), head.astype(np.int64)
    tail, head = np.triu_indices(n, 1)
    return tail.astype(np.int64), head.astype(np.int64)


def edge_list(network: sp.csr_matrix, directed: bool) -> tuple[np.ndarray, np.ndarray]:
    """The ties of a network as (tail, head); undirected ties once, with ``tail < head``."""
    coo = sp.coo_matrix(network)
    keep = coo.data != 0
    tail, head = coo.row[keep].astype(np.int64), coo.col[keep].astype(np.int64)
    if not directed:
        upper = tail < head
        tail, head = tail[upper], head[upper]
    return tail, head


def tie_values(network: sp.csr_matrix, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """0/1 tie indicators of the given dyads, as float64."""
    return (np.asarray(network[tail, head]).ravel() != 0).astype(np.float64)


def r_literal(value: object) -> str:
    """An argument value written as R source (numbers, logicals, strings)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return r_number(float(value))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise TypeError(f"cannot write {value!r} as an R literal")


#: R term name -> term class; filled by :meth:`Term.__init_subclass__`
REGISTRY: dict[str, type[Term]] = {}

#: A sampler change function ``f(adj, i, j, params, out)`` (numba): writes ``g(Y+_ij) - g(Y-_ij)``
#: into ``out`` for the dense 0/1 ``uint8`` adjacency ``adj`` (symmetric when undirected), whatever
#: ``adj[i, j]`` currently is.
SamplerChange = Callable[..., None]


@dataclass(frozen=True)
class Term:
    """Base class of all terms (see the module docstring for the contract)."""

    #: the function name in a btergm formula, e.g. ``"gwesp"``; setting it registers the class
    r_name: ClassVar[str] = ""
    #: formal arguments in R's order (name, reader, R default if it differs from the field's)
    formals: ClassVar[tuple[Formal, ...]] = ()
    #: arguments ergm accepts but customsnet refuses, with the reason shown to the user
    refused: ClassVar[dict[str, str]] = {}
    #: True when the change statistics depend on the response network (the sampler must update them)
    dependent: ClassVar[bool] = True
    #: True when the term only makes sense on directed networks
    directed_only: ClassVar[bool] = False
    #: True when the term is undefined on directed networks (ergm refuses it)
    undirected_only: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("r_name")
        if name:
            if name in REGISTRY and REGISTRY[name].__qualname__ != cls.__qualname__:
                raise TypeError(
                    f"term {name!r} is registered twice ({REGISTRY[name].__qualname__}, {cls.__qualname__})"
                )
            REGISTRY[name] = cls

    @classmethod
    def from_call(cls, label: str, args: Iterable[Any]) -> Term:
        """The term for an R call's arguments (``rsyntax.Arg`` items); ``label`` is the call's R text."""
        try:
            kwargs = match_arguments(label, cls.formals, cls.refused, args)
        except ArgumentError as exc:
            raise TermError(str(exc)) from None
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise TermError(f"{label}: {exc}") from None

    # -- description --------------------------------------------------------------------
    @property
    def reads_network(self) -> bool:
        """True when the statistic reads the response network or earlier networks (what rewiring disturbs)."""
        return self.dependent or bool(self.lags())

    def coef_names(self, directed: bool) -> list[str]:
        raise NotImplementedError

    def to_r(self) -> str:
        raise NotImplementedError

    def check_directedness(self, directed: bool) -> None:
        """Raise :class:`TermError` when the term is not defined for this kind of network."""
        if self.directed_only and not directed:
            raise TermError(f"term {self.to_r()} needs a directed network; the panel is undirected")
        if self.undirected_only and directed:
            raise TermError(f"term {self.to_r()} is undefined on directed networks (ergm refuses it)")

    # -- what the term reads (so the builder can cut and check the inputs) ---------------
    def lags(self) -> tuple[int, ...]:
        """Lags of earlier *networks* this term reads (temporal terms); empty otherwise."""
        return ()

    def dyad_covariates(self) -> tuple[str, ...]:
        return ()

    def node_attributes(self) -> tuple[str, ...]:
        return ()

    @property
    def n_stats(self) -> int:
        return 1

    # -- numbers ------------------------------------------------------------------------
    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Change statistics of the dyads ``(tail[k], head[k])`` at the observed network.

        Returns an array of shape ``(len(tail), n_stats)`` holding ``g(Y+) - g(Y-)``.
        """
        raise NotImplementedError

    def statistic(self, step: StepInputs) -> np.ndarray:
        """The network statistic ``g(Y)`` of ``step.network`` (shape ``(n_stats,)``)."""
        raise NotImplementedError

    def with_levels(self, levels: dict, directed: bool) -> Term:
        """The term bound to the attribute levels of a panel (``name -> (values, labels)``).

        Terms whose coefficients are named by levels (nodefactor, nodemix, nodematch(diff = TRUE) ...)
        return a copy that knows them; all others return themselves.
        """
        return self

    # -- sampler and interpretation ----------------------------------------------------------
    def sampler_change(self, step: StepInputs) -> tuple[SamplerChange, np.ndarray]:
        """The numba change function for one dyad and its float64 parameter vector (dependent terms).

        The generic sampler calls ``f(adj, i, j, params, out)`` for every proposed toggle.
        """
        raise TermError(f"term {self.to_r()} has no sampler change function")

    def fast_sampler_fields(self, coef: np.ndarray) -> dict[str, float] | None:
        """Fields of the specialised incremental sampler (:class:`~customsnet.modeling.simulation.simulate.ErgmModel`)
        that represent this term with coefficient ``coef``, or ``None`` if only the generic sampler can."""
        return None

    def counterfactual_change(self, structure: str, k: int) -> float | None:
        """The change statistic of a dyad whose ``structure`` (``"shared_partners"``, ``"degree"``) is
        ``k``, as the usual counterfactual simplification uses it (spec §8.3); ``None`` if the term has none."""
        return None


class PerDyadChange(Term):
    """Mixin for dependent terms whose batch change statistics are the sampler's per-dyad function
    run over the batch (one definition serves the design and the sampler); the term's
    :meth:`statistic` is written independently, so the brute-force toggle test checks both."""

    def change_stats(self, step: StepInputs, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        func, params = self.sampler_change(step)
        return per_dyad_changes(
            func,
            params,
            self.n_stats,
            dense_adjacency(step.network),
            np.asarray(tail, dtype=np.int64),
            np.asarray(head, dtype=np.int64),
        )


def dense_adjacency(network: sp.spmatrix) -> np.ndarray:
    """The 0/1 ``uint8`` dense adjacency the sampler change functions read."""
    a = sp.csr_matrix(network)
    out = np.zeros(a.shape, dtype=np.uint8)
    coo = a.tocoo()
    keep = coo.data != 0
    out[coo.row[keep], coo.col[keep]] = 1
    np.fill_diagonal(out, 0)
    return out


def per_dyad_changes(func, params, n_stats, adj, tail, head) -> np.ndarray:
    """Run a sampler change function over a batch of dyads: rows ``(len(tail), n_stats)``.

    A Python loop over compiled per-dyad calls: a numba loop taking the function as an argument
    would be recompiled for every term in every process (numba cannot cache it), which costs
    more than the per-call overhead for any panel this project fits.
    """
    out = np.zeros((len(tail), n_stats))
    buf = np.zeros(n_stats)
    params = np.ascontiguousarray(params, dtype=np.float64)
    for r, (i, j) in enumerate(
        zip(np.asarray(tail, dtype=np.int64).tolist(), np.asarray(head, dtype=np.int64).tolist())
    ):
        buf[:] = 0.0
        func(adj, i, j, params, buf)
        out[r] = buf
    return out


def column(values: np.ndarray) -> np.ndarray:
    """A 1-D per-dyad vector as the ``(m, 1)`` block a single-statistic term returns."""
    return np.asarray(values, dtype=np.float64).reshape(-1, 1)
