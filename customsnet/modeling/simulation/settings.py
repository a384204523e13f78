"""How the simulation-heavy after-fit steps simulate: one validated settings object.

:func:`~customsnet.modeling.evaluation.gof.gof`, the simulating predictions
(:func:`~customsnet.modeling.evaluation.predict.predict_btergm`, ``predict_honest(method="simulate")``)
and :func:`~customsnet.modeling.evaluation.degeneracy.check_degeneracy` all draw ``nsim`` networks
from TNT chains and can spread their chains over processes or a Dask cluster; they take one
:class:`SimulationSettings` instead of repeating the same seven parameters, and record
:meth:`SimulationSettings.record` (the values they actually used) with their results.

``burnin``, ``interval`` and ``start`` may be left at ``None``: each step then uses its own
documented default (btergm's 10,000 / 1,000 proposals and a start at the observed network for
``gof``, ``predict_btergm`` and ``check_degeneracy``; sweeps of all dyads from the year t−1
network for the honest prediction), so a settings object never silently overrides a recipe.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

#: where a chain may start: the year's observed network or the year t−1 network
STARTS = ("observed", "previous")


class SimulationSettingsError(ValueError):
    """A simulation setting has a value it cannot take (the message names the parameter and the value)."""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class SimulationSettings:
    """Number of draws, chain lengths, seed, chain start and the parallel back-end of a simulation.

    ``nsim``: networks drawn per chain (per year for ``gof`` and ``check_degeneracy``).
    ``burnin`` / ``interval``: TNT proposals before the first draw and between draws (ergm's
    ``MCMC.burnin`` / ``MCMC.interval``); ``None`` is the step's own default. ``seed``: the root of
    every chain's generator (chains get seeds spawned from it, so results do not depend on
    ``n_jobs`` or the scheduler). ``start``: ``"observed"``, ``"previous"`` or ``None`` (the
    step's default). ``n_jobs``: local worker processes for the independent chains (1: in this
    process). ``scheduler``: a Dask scheduler address (``"tcp://host:8786"``) or a
    ``distributed.Client``; when given, the chains run there and ``n_jobs`` is not used.
    """

    nsim: int = 100
    burnin: int | None = None
    interval: int | None = None
    seed: int = 0
    start: str | None = None
    n_jobs: int = 1
    scheduler: Any = None

    def __post_init__(self) -> None:
        if not _is_int(self.nsim) or self.nsim < 1:
            raise SimulationSettingsError(f"nsim must be an integer >= 1, got {self.nsim!r}")
        if self.burnin is not None and (not _is_int(self.burnin) or self.burnin < 0):
            raise SimulationSettingsError(f"burnin must be an integer >= 0 or None, got {self.burnin!r}")
        if self.interval is not None and (not _is_int(self.interval) or self.interval < 1):
            raise SimulationSettingsError(f"interval must be an integer >= 1 or None, got {self.interval!r}")
        if not _is_int(self.seed) or self.seed < 0:
            raise SimulationSettingsError(f"seed must be an integer >= 0, got {self.seed!r}")
        if self.start is not None and self.start not in STARTS:
            raise SimulationSettingsError(f"start must be one of {STARTS} or None, got {self.start!r}")
        if not _is_int(self.n_jobs) or self.n_jobs < 1:
            raise SimulationSettingsError(f"n_jobs must be an integer >= 1, got {self.n_jobs!r}")
        if self.scheduler is not None and not _is_scheduler(self.scheduler):
            raise SimulationSettingsError(
                f"scheduler must be a Dask scheduler address such as 'tcp://127.0.0.1:8786' or a "
                f"distributed.Client, got {self.scheduler!r}"
            )

    def with_defaults(self, burnin: int, interval: int, start: str) -> SimulationSettings:
        """These settings with a step's own defaults filled in where a value was left at ``None``."""
        return replace(
            self,
            burnin=burnin if self.burnin is None else self.burnin,
            interval=interval if self.interval is None else self.interval,
            start=start if self.start is None else self.start,
        )

    def __reduce__(self) -> tuple:
        # tasks carry their settings to worker processes, and a distributed.Client cannot be
        # pickled; a worker never schedules, so a Client travels as its address (as record() shows it)
        values = self.record()
        return (SimulationSettings, tuple(values[f.name] for f in fields(self)))

    def record(self) -> dict[str, Any]:
        """The settings as plain values for a result's ``settings`` (a Client is recorded by its address)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}  # not asdict: it deep-copies a Client
        if out["scheduler"] is not None and not isinstance(out["scheduler"], str):
            client = self.scheduler
            out["scheduler"] = str(getattr(getattr(client, "scheduler", None), "address", client))
        return out


def _is_scheduler(value: object) -> bool:
    if isinstance(value, str):
        return "://" in value and len(value.split("://", 1)[1]) > 0
    return hasattr(value, "submit") and hasattr(value, "gather")  # a distributed.Client (duck-typed: lazy import)
