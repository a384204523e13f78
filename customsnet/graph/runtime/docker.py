"""The Docker runtime: ``docker compose`` on the repository's ``docker-compose.yml``."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from customsnet.config import Settings
from customsnet.graph.errors import ServerError
from customsnet.graph.runtime.local import BLOCK_ALL_ADDRESSES

COMPOSE_FILE = Path(__file__).resolve().parents[3] / "docker-compose.yml"


def docker_available() -> bool:
    """True when a Docker engine answers ``docker info`` and the compose plugin is installed."""
    docker = shutil.which("docker")
    if not docker:
        return False
    try:
        return all(
            subprocess.run([docker, *args], check=False, capture_output=True, timeout=8).returncode == 0
            for args in (["info"], ["compose", "version"])
        )
    except (subprocess.TimeoutExpired, OSError):
        return False


def compose_env(settings: Settings, password: str | None = None) -> dict[str, str]:
    """The variables ``docker-compose.yml`` reads: ports, version, password and the LOAD CSV policy."""
    env = dict(
        os.environ,
        CUSTOMSNET_BOLT_PORT=str(settings.bolt_port),
        CUSTOMSNET_HTTP_PORT=str(settings.http_port),
        CUSTOMSNET_NEO4J_VERSION=settings.neo4j_version,
        CUSTOMSNET_NEO4J_ALLOW_FILE_LOAD="true" if settings.allow_file_load else "false",
        # an empty block list lets LOAD CSV fetch URLs (the user opted in)
        CUSTOMSNET_NEO4J_URL_BLOCKLIST="" if settings.allow_url_load else BLOCK_ALL_ADDRESSES,
    )
    if password:
        env["NEO4J_PASSWORD"] = password
    return env


def compose(settings: Settings, *args: str, password: str | None = None, timeout: float = 300) -> str:
    """Run ``docker compose -f docker-compose.yml ARGS``; returns its stdout, raises on failure."""
    if not COMPOSE_FILE.is_file():
        raise ServerError(f"{COMPOSE_FILE} is missing; run customsnet from a checkout of the repository")
    done = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), *args],
        check=False,
        env=compose_env(settings, password),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise ServerError(f"`docker compose {' '.join(args)}` failed:\n{(done.stdout + done.stderr).strip()[-3000:]}")
    return done.stdout
