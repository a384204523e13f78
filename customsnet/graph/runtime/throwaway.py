"""Throwaway servers (tests, ``customsnet db scratch``): free ports, random password, deleted after."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from customsnet.config import Settings
from customsnet.graph.errors import PortInUseError
from customsnet.graph.runtime.jars import JarResolution, resolve_jars
from customsnet.graph.runtime.local import LocalServer, StartResult
from customsnet.graph.runtime.managed import load_policy, local_lib
from customsnet.graph.runtime.processes import free_port
from customsnet.graph.runtime.progress import Report, log_report


@dataclass(frozen=True)
class Instance:
    """A running throwaway server: how to reach it and how long it took to get there."""

    server: LocalServer
    password: str
    resolution: JarResolution
    start: StartResult

    @property
    def uri(self) -> str:
        return self.server.bolt_uri


@contextmanager
def throwaway_instance(
    settings: Settings | None = None,
    base_dir: Path | None = None,
    timeout: float = 120,
    report: Report = log_report,
) -> Iterator[Instance]:
    """Start a private server on free ports with a random password; stop it and delete its home after.

    Shares the managed server's jar directory (resolving it once if needed), so parallel test
    runs only share read-only jars, never data.
    """
    settings = settings or Settings.from_env()
    lib = local_lib(settings)
    resolution = resolve_jars(lib, settings.neo4j_version, report)
    home = Path(tempfile.mkdtemp(prefix="customsnet-neo4j-", dir=base_dir))
    try:
        password = secrets.token_urlsafe(18)
        # A free port can be taken between the check and the JVM's bind; retry with new ports then.
        for attempt in range(3):
            server = LocalServer(
                home,
                lib,
                free_port(),
                free_port(),
                heap_initial="256m",
                heap_max="1g",
                pagecache="256m",
                die_with_parent=True,
                load_policy=load_policy(settings),
            )
            try:
                result = server.start(password, timeout=timeout, report=report)
                break
            except PortInUseError:
                if attempt == 2:
                    raise
        try:
            yield Instance(server, password, resolution, result)
        finally:
            server.stop()
    finally:
        shutil.rmtree(home, ignore_errors=True)
