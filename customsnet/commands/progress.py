"""Progress shown while a command works: bars with counts and time left, or a spinner.

Both go to stderr and are hidden by ``customsnet --quiet``, which hides nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click


def quiet() -> bool:
    """True under ``customsnet --quiet``."""
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.obj and ctx.obj.get("quiet"):
            return True
        ctx = ctx.parent
    return False


def _bar_columns() -> list:
    """Description, bar, count, elapsed and time left: the columns of every bar."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    ]


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[str | None], None]]:
    """A bar of ``total`` steps (count, elapsed, time left); yields ``step(text)`` to call per step done."""
    if quiet():
        yield lambda text=None: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(*_bar_columns(), console=Console(stderr=True), transient=True) as bars:
        task = bars.add_task(description, total=total)

        def step(text: str | None = None) -> None:
            bars.update(task, advance=1, description=text or description)

        yield step


@contextmanager
def task_bars() -> Iterator[Callable[[str, int], Callable[[int], None]] | None]:
    """Bars for a library call that reports its own tasks: yields ``start(description, total) -> advance(n)``.

    The shape of the loader's, the batched deletes' and the bootstrap's ``progress`` argument; None
    under ``--quiet``. A total of 0 (unknown) draws a pulsing bar. Text written to stderr meanwhile
    (e.g. :func:`note`) appears above the bars.
    """
    if quiet():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    # on a terminal the bars vanish when done; in a log (no terminal) their final counts are kept
    with Progress(*_bar_columns(), console=console, transient=console.is_terminal) as bars:

        def start(description: str, total: int) -> Callable[[int], None]:
            task = bars.add_task(description, total=total or None)
            return lambda n: bars.advance(task, n)

        yield start


def note(text: str) -> None:
    """A progress message on stderr (e.g. what a long call is doing now), hidden by ``--quiet``."""
    if not quiet():
        click.echo(text, err=True)


@contextmanager
def spinner(text: str = "working...") -> Iterator[Callable[[str], None]]:
    """A spinner for one long step of unknown length; yields ``update(text)``."""
    if quiet():
        yield lambda text: None
        return
    from rich.console import Console

    with Console(stderr=True).status(text) as status:
        yield status.update
