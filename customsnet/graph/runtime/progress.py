"""How the runtime reports progress: a callable taking one line (the CLI prints it, tests collect it)."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger("customsnet.graph.runtime")

Report = Callable[[str], None]


def log_report(message: str) -> None:
    """The default :data:`Report`: an INFO log line."""
    log.info(message)
