"""Shared test fixtures: a live Neo4j 5.26 server, a cleared graph with the schema, shared data dirs.

Where the server comes from (decided once per session, started only if a selected test needs it):

1. ``NEO4J_URI`` in the environment (not ``.env``): that server. Tests DELETE all its data.
2. A working Docker engine: testcontainers ``neo4j:5.26.30-community``.
3. Otherwise a throwaway local server on free ports with a random password, sharing the cached
   Maven jars (resolved on first use), stopped and deleted at the end of the session.
"""

from __future__ import annotations

import os
import secrets
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from customsnet.config import NEO4J_VERSION, Settings
from customsnet.graph import runtime as server
from customsnet.graph.connection import Graph
from customsnet.graph.schema import apply_schema, clear_database

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCKER_IMAGE = f"neo4j:{NEO4J_VERSION}-community"
# what docker-compose.yml sets by default (docs/security.md)
DOCKER_LOAD_POLICY = {
    "NEO4J_dbms_security_allow__csv__import__from__file__urls": "false",
    "NEO4J_internal_dbms_cypher__ip__blocklist": "0.0.0.0/0,::/0",
}


def shared_dir() -> Path:
    """``../shared`` next to the repository root (source data and reference outputs; not shipped)."""
    return REPO_ROOT.parent / "shared"


@dataclass
class Neo4jConnection:
    """How to reach the session's Neo4j server, and what it is."""

    uri: str
    user: str
    password: str = field(repr=False)
    where: str
    database: str = "neo4j"
    version: str = ""
    edition: str = ""
    timings: list[str] = field(default_factory=list)

    def connect(self) -> Graph:
        """A new :class:`Graph` on this server (the caller closes it)."""
        return Graph(self.uri, self.user, self.password, self.database)


class _SessionNeo4j:
    """Starts the session's server on first demand and stops it when the session ends."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._connection: Neo4jConnection | None = None
        self._error: str | None = None
        self._plan: str | None = None

    def plan(self) -> str:
        """Which runtime will be used (cheap; for the report header)."""
        if self._plan is None:
            if os.environ.get("NEO4J_URI"):
                self._plan = "external"
            elif server.docker_available():
                self._plan = "docker"
            else:
                self._plan = "local"
        return self._plan

    def describe_plan(self) -> str:
        plan = self.plan()
        if plan == "external":
            return f"neo4j: external server {os.environ['NEO4J_URI']} (NEO4J_URI) -- tests DELETE all its data"
        if plan == "docker":
            return f"neo4j: testcontainers {DOCKER_IMAGE}"
        settings = Settings.from_env()
        lib = server.local_lib(settings)
        state = "cached" if (lib / server.COMPLETE_MARKER).is_file() else "to be resolved with Maven"
        return f"neo4j: throwaway local Neo4j {settings.neo4j_version} server, jars {lib} ({state})"

    def get(self) -> Neo4jConnection:
        if self._connection is None and self._error is None:
            try:
                self._connection = self._start()
            except Exception as exc:  # noqa: BLE001 - reported once per test that needs Neo4j
                self._error = f"{type(exc).__name__}: {exc}"
        if self._error is not None:
            pytest.fail(f"could not provide a Neo4j server: {self._error}", pytrace=False)
        assert self._connection is not None
        return self._connection

    @property
    def connection(self) -> Neo4jConnection | None:
        return self._connection

    @property
    def error(self) -> str | None:
        return self._error

    def _start(self) -> Neo4jConnection:
        plan = self.plan()
        if plan == "external":
            password = os.environ.get("NEO4J_PASSWORD")
            if not password:
                raise RuntimeError("NEO4J_URI is set but NEO4J_PASSWORD is not")
            connection = Neo4jConnection(
                os.environ["NEO4J_URI"],
                os.environ.get("NEO4J_USER", "neo4j"),
                password,
                f"external {os.environ['NEO4J_URI']}",
            )
        elif plan == "docker":
            try:  # testcontainers >= 4.10 moved the module; the old path warns
                from testcontainers.community.neo4j import Neo4jContainer
            except ImportError:
                from testcontainers.neo4j import Neo4jContainer

            started = time.monotonic()
            password = secrets.token_urlsafe(18)
            container = Neo4jContainer(DOCKER_IMAGE, password=password)
            for key, value in DOCKER_LOAD_POLICY.items():  # the same LOAD CSV confinement as local servers
                container.with_env(key, value)
            container = self._stack.enter_context(container)
            connection = Neo4jConnection(
                container.get_connection_url(), "neo4j", password, f"docker container {DOCKER_IMAGE}"
            )
            connection.timings.append(f"container started in {time.monotonic() - started:.1f} s")
        else:
            timings: list[str] = []
            started = time.monotonic()
            instance = self._stack.enter_context(server.throwaway_instance(report=timings.append))
            if instance.resolution.cached:
                timings.insert(0, instance.resolution.describe())
            # includes the initial-password JVM, which "Neo4j started in" does not
            timings.append(f"server ready {time.monotonic() - started:.1f} s after the session asked for it")
            connection = Neo4jConnection(
                instance.uri,
                "neo4j",
                instance.password,
                f"local throwaway server, home {instance.server.home}",
                timings=timings,
            )
        with connection.connect() as graph:
            graph.verify()
            info = graph.server_info()
        connection.version, connection.edition = info["version"], info["edition"]
        return connection

    def close(self) -> None:
        self._stack.close()


_NEO4J = _SessionNeo4j()


def _needs_neo4j(item: pytest.Item) -> bool:
    return "neo4j_connection" in getattr(item, "fixturenames", ())


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [_NEO4J.describe_plan()]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _needs_neo4j(item):
            item.add_marker(pytest.mark.neo4j)


def pytest_report_collectionfinish(config: pytest.Config, items: list[pytest.Item]) -> list[str]:
    # Start here, not in the header: only now is it known whether any selected test needs Neo4j,
    # and starting now puts version, edition and timings at the top of the log.
    if config.option.collectonly:
        return []
    if not any(_needs_neo4j(item) for item in items):
        return ["neo4j: not needed by the selected tests, not started"]
    try:
        connection = _NEO4J.get()
    except pytest.fail.Exception:
        return [f"neo4j: FAILED to start: {_NEO4J.error}"]
    lines = [f"neo4j: {line}" for line in connection.timings]
    lines.append(f"neo4j: using {connection.version} {connection.edition} at {connection.uri} ({connection.where})")
    return lines


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _NEO4J.close()


@pytest.fixture(scope="session")
def neo4j_connection() -> Neo4jConnection:
    """The session's live Neo4j server (started lazily; see the module docstring)."""
    return _NEO4J.get()


@pytest.fixture(scope="module")
def graph(neo4j_connection: Neo4jConnection):
    """A connected :class:`Graph` on an emptied database with the customsnet schema applied."""
    with neo4j_connection.connect() as connected:
        clear_database(connected)
        apply_schema(connected)
        yield connected


@pytest.fixture(scope="session")
def shared_data_dir() -> Path:
    """``../shared/data`` (public source files); skips the test when it is absent."""
    path = shared_dir() / "data"
    if not path.is_dir():
        pytest.skip(f"shared data directory {path} is absent")
    return path


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """``../shared/reference`` (R btergm outputs); skips the test when it is absent."""
    path = shared_dir() / "reference"
    if not path.is_dir():
        pytest.skip(f"shared reference directory {path} is absent")
    return path
