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


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[str | None], None]]:
    """A bar of ``total`` steps (count, elapsed, time left); yields ``step(text)`` to call per step done."""
    if quiet():
        yield lambda text=None: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    ]
    from rich.console import Console

    with Progress(*columns, console=Console(stderr=True), transient=True) as bars:
        task = bars.add_task(description, total=total)

        def step(text: str | None = None) -> None:
            bars.update(task, advance=1, description=text or description)

        yield step


@contextmanager
def spinner(text: str = "working...") -> Iterator[Callable[[str], None]]:
    """A spinner for one long step of unknown length; yields ``update(text)``."""
    if quiet():
        yield lambda text: None
        return
    from rich.console import Console

    with Console(stderr=True).status(text) as status:
        yield status.update
