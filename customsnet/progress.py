"""The one shape of progress reporting shared by the layers (loads, deletes, bootstraps, simulations).

A library call that runs counted work takes ``progress: Progress | None``: it calls
``progress(description, total)`` once per task it starts and gets back ``advance(n)``, which it
calls as units finish. The CLI draws it as a bar (``customsnet.commands.progress.task_bars``);
None (``--quiet``, or a library user who wants nothing) costs nothing. It lives here, outside the
pipeline's folders, so etl, graph and modeling share it without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable

#: ``start(description, total) -> advance(n)``: how a library call reports its counts
Progress = Callable[[str, int], Callable[[int], None]]
