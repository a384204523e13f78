"""Settings from the environment (and an optional ``.env`` file in the working directory).

Nothing here talks to Neo4j; :mod:`customsnet.graph` reads these settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

NEO4J_VERSION = "5.26.30"  # newest 5.26.x on Maven Central when pinned (see graph/runtime/pom.xml)
NEO4J_BROWSER_VERSION = "5.24.0"  # newest org.neo4j.client:neo4j-browser on Maven Central


def _read_dotenv(path: Path) -> dict[str, str]:
    """Parse a minimal KEY=VALUE ``.env`` file (comments and blank lines ignored)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def _env(name: str, dotenv: dict[str, str], default: str | None = None) -> str | None:
    return os.environ.get(name, dotenv.get(name, default))


def _flag(value: str | None) -> bool:
    """An opt-in switch from the environment: ``1``, ``true``, ``yes`` or ``on`` (any case) mean on."""
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def cache_dir() -> Path:
    """Root of customsnet's cache (Neo4j jars, local server home, password file)."""
    base = os.environ.get("CUSTOMSNET_CACHE_DIR")
    if base:
        return Path(base).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "customsnet"


@dataclass(frozen=True)
class Settings:
    """Where the graph lives and how to reach it.

    ``uri`` is set only when the user points customsnet at an external server
    (``NEO4J_URI``); otherwise the managed server (docker compose or the local
    Maven-assembled server) is used and its password comes from the cache.
    """

    uri: str | None = None
    user: str = "neo4j"
    password: str | None = field(default=None, repr=False)
    database: str = "neo4j"
    bolt_port: int = 7687
    http_port: int = 7474
    neo4j_version: str = NEO4J_VERSION
    cache: Path = field(default_factory=cache_dir)
    # jars of the local server; None = <cache>/neo4j-<version>/lib. Tests point throwaway
    # instances at one shared lib so they never resolve the jars again.
    neo4j_lib: Path | None = None
    # "auto" (docker compose if a Docker engine answers, else local), "local" or "docker"
    runtime: str = "auto"
    # LOAD CSV on the managed server: off unless opted in (docs/security.md). File URLs would read
    # the server's import directory, URLs make the server fetch from the network.
    allow_file_load: bool = False
    allow_url_load: bool = False

    @property
    def external(self) -> bool:
        return self.uri is not None

    @classmethod
    def from_env(cls, dotenv_path: Path | None = None) -> Settings:
        dotenv = _read_dotenv(dotenv_path or Path.cwd() / ".env")
        return cls(
            uri=_env("NEO4J_URI", dotenv),
            user=_env("NEO4J_USER", dotenv, "neo4j") or "neo4j",
            password=_env("NEO4J_PASSWORD", dotenv),
            database=_env("NEO4J_DATABASE", dotenv, "neo4j") or "neo4j",
            bolt_port=int(_env("CUSTOMSNET_BOLT_PORT", dotenv, "7687") or 7687),
            http_port=int(_env("CUSTOMSNET_HTTP_PORT", dotenv, "7474") or 7474),
            neo4j_version=_env("CUSTOMSNET_NEO4J_VERSION", dotenv, NEO4J_VERSION) or NEO4J_VERSION,
            cache=cache_dir(),
            neo4j_lib=Path(lib).expanduser() if (lib := _env("CUSTOMSNET_NEO4J_LIB", dotenv)) else None,
            runtime=(_env("CUSTOMSNET_NEO4J_RUNTIME", dotenv, "auto") or "auto").lower(),
            allow_file_load=_flag(_env("CUSTOMSNET_NEO4J_ALLOW_FILE_LOAD", dotenv)),
            allow_url_load=_flag(_env("CUSTOMSNET_NEO4J_ALLOW_URL_LOAD", dotenv)),
        )
