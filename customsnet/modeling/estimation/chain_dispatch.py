"""Where the MCMC-MLE's chains run: in this process, on local cores (joblib), or on a Dask cluster.

:class:`ChainDispatch` is opened once per MCMC-MLE run with the year models, then asked for one
batch of chains per sample (:meth:`ChainDispatch.run`). Each chain is a pure function of its
inputs (year model, θ, starting network, lengths and its own ``SeedSequence``), and the results
come back in task order, so the pooled sample is bit-identical whichever back-end runs it.

On a Dask cluster (``scheduler`` a ``tcp://host:port`` address or a ``distributed.Client``, as
the bootstrap's :func:`~customsnet.modeling.estimation.bootstrap.run_replicates` takes) the year
models are scattered to every worker once per run, not once per iteration; each chain is then
one task holding only θ, its start and its seed. A chain that raises fails the fit, as it does
locally (a broken sample cannot be left out of a likelihood step the way a bootstrap replicate
can).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np

from customsnet.modeling.estimation.mcmc_sample import ChainDraws, StepModel, run_chain
from customsnet.modeling.parallel import map_tasks


@dataclass
class ChainTask:
    """One chain: which year model, and the arguments of :func:`run_chain` after the model."""

    year_index: int
    theta: np.ndarray
    start_edges: np.ndarray | None
    n_draws: int
    burnin: int
    interval: int
    seed: np.random.SeedSequence


class ChainDispatch:
    """Runs batches of chains on the year models ``steps`` (context manager: closes its Dask client)."""

    def __init__(self, steps: Sequence[StepModel], n_jobs: int = 1, scheduler: Any = None) -> None:
        self.steps = list(steps)
        self.n_jobs = int(n_jobs)
        self.scheduler = scheduler
        self._client = None
        self._own_client = False
        self._shared = None  # futures of the scattered year models

    def open(self) -> Self:
        if self.scheduler is not None and self._client is None:
            from distributed import Client

            if isinstance(self.scheduler, Client):
                self._client = self.scheduler
            else:
                self._client = Client(self.scheduler)
                self._own_client = True
            # every worker gets every year model once; the tasks then refer to them by future
            self._shared = self._client.scatter(self.steps, broadcast=True, hash=False)
        return self

    def close(self) -> None:
        if self._client is not None and self._own_client:
            self._client.close()
        self._client, self._shared, self._own_client = None, None, False

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, tasks: Sequence[ChainTask]) -> list[ChainDraws]:
        """Run ``tasks`` and return their draws in task order."""
        if self.scheduler is not None:
            if self._client is None:
                raise RuntimeError("ChainDispatch.run on a Dask scheduler needs open() (or a with block) first")
            futures = self._client.map(
                run_chain,
                [self._shared[t.year_index] for t in tasks],
                *zip(*[(t.theta, t.start_edges, t.n_draws, t.burnin, t.interval, t.seed) for t in tasks]),
                pure=False,
            )
            return self._client.gather(futures)
        args = [
            (self.steps[t.year_index], t.theta, t.start_edges, t.n_draws, t.burnin, t.interval, t.seed) for t in tasks
        ]
        return map_tasks(run_chain, args, n_jobs=self.n_jobs)
