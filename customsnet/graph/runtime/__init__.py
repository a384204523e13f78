"""The Neo4j runtime: an external server, docker compose, or a local server built from Maven Central.

One idea per module:

- :mod:`~customsnet.graph.runtime.java` finds a Java 17/21;
- :mod:`~customsnet.graph.runtime.jars` resolves the server's jars from Maven Central (``pom.xml``);
- :mod:`~customsnet.graph.runtime.processes` ports and pids;
- :mod:`~customsnet.graph.runtime.local` one local server home and its ``neo4j.conf``;
- :mod:`~customsnet.graph.runtime.docker` ``docker compose``;
- :mod:`~customsnet.graph.runtime.managed` the server the CLI manages (start, stop, status, password);
- :mod:`~customsnet.graph.runtime.throwaway` private servers on free ports for tests and scratch runs.

The names below are the public face; import them from here.
"""

from customsnet.graph.errors import PortInUseError, ServerError
from customsnet.graph.runtime.docker import COMPOSE_FILE, docker_available
from customsnet.graph.runtime.jars import (
    COMPLETE_MARKER,
    POM_FILE,
    JarResolution,
    resolve_jars,
)
from customsnet.graph.runtime.java import find_java, java_major_version
from customsnet.graph.runtime.local import (
    ENTRY_POINT,
    LoadPolicy,
    LocalServer,
    StartResult,
)
from customsnet.graph.runtime.managed import (
    PASSWORD_FILE,
    ServerStatus,
    load_policy,
    local_home,
    local_lib,
    local_server,
    managed_connection_info,
    managed_password,
    password_file,
    runtime_mode,
    start,
    status,
    stop,
)
from customsnet.graph.runtime.processes import free_port, port_is_free
from customsnet.graph.runtime.throwaway import Instance, throwaway_instance

__all__ = [
    "COMPLETE_MARKER",
    "COMPOSE_FILE",
    "ENTRY_POINT",
    "PASSWORD_FILE",
    "POM_FILE",
    "Instance",
    "JarResolution",
    "LoadPolicy",
    "LocalServer",
    "PortInUseError",
    "ServerError",
    "ServerStatus",
    "StartResult",
    "docker_available",
    "find_java",
    "free_port",
    "java_major_version",
    "load_policy",
    "local_home",
    "local_lib",
    "local_server",
    "managed_connection_info",
    "managed_password",
    "password_file",
    "port_is_free",
    "resolve_jars",
    "runtime_mode",
    "start",
    "status",
    "stop",
    "throwaway_instance",
]
