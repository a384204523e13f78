"""The server the CLI manages: which runtime, its password, and start / stop / status.

Which one is used:

1. ``NEO4J_URI`` set (``Settings.external``): that server; nothing is started here.
2. A Docker engine answers (or ``CUSTOMSNET_NEO4J_RUNTIME=docker``): ``docker compose up`` on the
   repository's ``docker-compose.yml``.
3. Otherwise a local Neo4j Community server whose jars Maven resolves from Central into
   ``<cache>/neo4j-<version>/lib`` (once), with its home (conf, data, logs, run) next to it.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from customsnet.config import Settings
from customsnet.graph.errors import ServerError, redact_uri
from customsnet.graph.runtime.docker import COMPOSE_FILE, compose, docker_available
from customsnet.graph.runtime.jars import resolve_jars
from customsnet.graph.runtime.local import LoadPolicy, LocalServer, discovery
from customsnet.graph.runtime.progress import Report, log_report

PASSWORD_FILE = "neo4j-password"


def local_home(settings: Settings) -> Path:
    """Home of the managed local server: ``<cache>/neo4j-<version>``."""
    return settings.cache / f"neo4j-{settings.neo4j_version}"


def local_lib(settings: Settings) -> Path:
    """Jar directory: ``CUSTOMSNET_NEO4J_LIB`` if set, else ``<home>/lib``."""
    return settings.neo4j_lib or local_home(settings) / "lib"


def local_server(settings: Settings) -> LocalServer:
    """The managed local server described by ``settings`` (ports, cache dir, version)."""
    return LocalServer(
        local_home(settings),
        local_lib(settings),
        settings.bolt_port,
        settings.http_port,
        heap_initial="512m",
        heap_max="1g",
        pagecache="512m",
        load_policy=load_policy(settings),
    )


def load_policy(settings: Settings) -> LoadPolicy:
    """What LOAD CSV may read, from ``CUSTOMSNET_NEO4J_ALLOW_FILE_LOAD`` / ``..._URL_LOAD`` (both off by default)."""
    return LoadPolicy(files=settings.allow_file_load, urls=settings.allow_url_load)


def password_file(settings: Settings) -> Path:
    return settings.cache / PASSWORD_FILE


def managed_password(settings: Settings, create: bool = False) -> str | None:
    """Password of the managed server: ``NEO4J_PASSWORD``, else the 0600 file in the cache dir.

    With ``create`` and no file yet (first start), ``NEO4J_PASSWORD`` or a random password is
    stored, so later runs without ``NEO4J_PASSWORD`` still connect.
    """
    path = password_file(settings)
    if create and not path.is_file():
        settings.cache.mkdir(parents=True, exist_ok=True)
        password = settings.password or secrets.token_urlsafe(24)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(password + "\n")
        return password
    if settings.password:
        return settings.password
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    return None


def managed_connection_info(settings: Settings) -> tuple[str, str]:
    """Bolt URI and password of the managed (docker or local) server, for :meth:`Graph.connect`."""
    password = managed_password(settings)
    if not password:
        raise ServerError(
            f"no Neo4j password: none stored in {password_file(settings)} and NEO4J_PASSWORD is not set; "
            "run `customsnet db start` first (or set NEO4J_URI/NEO4J_PASSWORD for an existing server)"
        )
    return f"bolt://127.0.0.1:{settings.bolt_port}", password


def runtime_mode(settings: Settings) -> str:
    """``external``, ``docker`` or ``local``."""
    if settings.external:
        return "external"
    if settings.runtime not in ("auto", "local", "docker"):
        raise ServerError(f"CUSTOMSNET_NEO4J_RUNTIME must be auto, local or docker, not {settings.runtime!r}")
    if settings.runtime != "auto":
        return settings.runtime
    return "docker" if docker_available() else "local"


@dataclass(frozen=True)
class ServerStatus:
    """Where the graph lives and whether it runs (for ``customsnet db status``)."""

    mode: str
    running: bool
    where: str
    uri: str
    browser_url: str
    pid: int | None = None


def start(settings: Settings, timeout: float = 120, report: Report = log_report) -> ServerStatus:
    """Start the managed server (docker compose or local); resolves jars first when needed."""
    mode = runtime_mode(settings)
    if mode == "external":
        report(f"NEO4J_URI is set ({redact_uri(settings.uri)}); customsnet uses that server and starts nothing")
        return status(settings)
    password = managed_password(settings, create=True)
    assert password is not None
    if mode == "docker":
        report("starting Neo4j with docker compose ...")
        compose(
            settings,
            "up",
            "-d",
            "--wait",
            "--wait-timeout",
            str(int(timeout)),
            password=password,
            timeout=timeout + 600,
        )
        return status(settings)
    server = local_server(settings)
    resolution = resolve_jars(server.lib, settings.neo4j_version, report)
    if resolution.cached:
        report(resolution.describe())
    result = server.start(password, timeout=timeout, report=report)
    if result.already_running:
        report(f"Neo4j is already running (pid {result.pid}) at {server.bolt_uri}")
    return status(settings)


def stop(settings: Settings, timeout: float = 60) -> bool:
    """Stop the managed server; False when it was not running."""
    mode = runtime_mode(settings)
    if mode == "external":
        raise ServerError(f"NEO4J_URI is set ({redact_uri(settings.uri)}); customsnet does not stop external servers")
    if mode == "docker":
        compose(settings, "stop")
        return True
    return local_server(settings).stop(timeout=timeout)


def status(settings: Settings) -> ServerStatus:
    """Where the server runs and whether it answers (no version: see ``Graph.server_info``)."""
    mode = runtime_mode(settings)
    if mode == "external":
        uri = settings.uri or ""
        return ServerStatus("external", bolt_reachable(uri), f"external server {redact_uri(uri)}", redact_uri(uri), "")
    uri = f"bolt://127.0.0.1:{settings.bolt_port}"
    browser = f"http://127.0.0.1:{settings.http_port}/browser/"
    if mode == "docker":
        running = discovery(f"http://127.0.0.1:{settings.http_port}/") is not None
        return ServerStatus("docker", running, f"docker compose ({COMPOSE_FILE})", uri, browser)
    server = local_server(settings)
    pid = server.pid()
    return ServerStatus("local", pid is not None, f"local server, home {server.home}", uri, browser, pid)


def bolt_reachable(uri: str) -> bool:
    """True when something accepts a TCP connection at the URI's host and port (7687 if none)."""
    try:
        parts = urlsplit(uri)
        with socket.create_connection((parts.hostname or "localhost", parts.port or 7687), timeout=3):
            return True
    except (OSError, ValueError):
        return False
