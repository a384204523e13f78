"""Independent tasks (simulation chains, refits) in this process, in local worker processes or on Dask.

:func:`map_tasks` is the one back-end of the simulation-heavy after-fit steps (``gof``'s and
``check_degeneracy``'s per-year chains, ``rewiring_study``'s per-(share, replicate) refits).
Every task carries its own seed, drawn before any task runs, so the results are the same for
any ``n_jobs`` and for Dask or local runs; they come back in the order of the tasks.

Locally ``n_jobs > 1`` uses joblib's process workers (the numba sampler holds the GIL, so
threads would not run chains side by side). ``scheduler`` is a Dask scheduler address
(``"tcp://host:8786"``) or a ``distributed.Client``, as for the bootstrap
(:func:`~customsnet.modeling.estimation.bootstrap.run_replicates`).

``progress`` has the shape of the loader's (``start(description, total) -> advance(n)``, see
:func:`customsnet.commands.progress.task_bars`): it is started once with the number of tasks and
advanced by one as each task finishes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from customsnet.progress import Progress


def _advance(progress: Progress | None, description: str, total: int) -> Callable[[int], None]:
    if progress is None:
        return lambda n: None
    return progress(description, total)


def map_tasks(
    func: Callable[..., Any],
    tasks: Sequence[tuple],
    *,
    n_jobs: int = 1,
    scheduler: object | None = None,
    progress: Progress | None = None,
    description: str = "tasks",
) -> list[Any]:
    """``[func(*task) for task in tasks]``, run in this process, in ``n_jobs`` processes or on Dask.

    ``func`` must be a module-level function and the tasks picklable when ``n_jobs > 1`` or a
    ``scheduler`` is given. An exception in a task is raised here (tasks that should survive a
    failure catch it themselves and return a record of it).
    """
    tasks = list(tasks)
    if n_jobs < 1:
        raise ValueError(f"n_jobs must be at least 1, got {n_jobs}")
    advance = _advance(progress, description, len(tasks))
    if not tasks:
        return []
    if scheduler is not None:
        return _on_dask(func, tasks, scheduler, advance)
    if n_jobs == 1 or len(tasks) == 1:
        results = []
        for task in tasks:
            results.append(func(*task))
            advance(1)
        return results
    from joblib import Parallel, delayed

    results = []
    # an ordered generator: results arrive in task order, each one advancing the bar as it arrives
    with Parallel(n_jobs=min(n_jobs, len(tasks)), return_as="generator") as parallel:
        for result in parallel(delayed(func)(*task) for task in tasks):
            results.append(result)
            advance(1)
    return results


def _on_dask(func: Callable[..., Any], tasks: list[tuple], scheduler: object, advance: Callable[[int], None]) -> list:
    from distributed import Client, as_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = [client.submit(func, *task, pure=False) for task in tasks]
        for _ in as_completed(futures):
            advance(1)
        return client.gather(futures)
    finally:
        if client is not scheduler:
            client.close()
