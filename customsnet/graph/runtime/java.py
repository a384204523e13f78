"""Finding a Java 17/21 runtime for the local Neo4j server, and the environment its JVMs need."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from customsnet.graph.errors import ServerError

log = logging.getLogger(__name__)


def find_java() -> str:
    """Path of a Java 17+ ``java`` executable (``JAVA_HOME`` first, then ``PATH``)."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        java: str | None = str(Path(java_home) / "bin" / "java")
    else:
        java = shutil.which("java")
    if not java:
        raise ServerError(
            "Java 17 or 21 is needed to run the local Neo4j server but `java` is not on PATH and "
            "JAVA_HOME is not set; install a JDK (e.g. `apt-get install openjdk-17-jre-headless`), "
            "or use Docker, or point NEO4J_URI at an existing server"
        )
    check_java(java)
    return java


def java_major_version(version_output: str) -> int:
    """Major version from ``java -version`` output (``1.8.0_392`` → 8, ``17.0.15`` → 17)."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if not match:
        raise ServerError(f"cannot read a Java version from `java -version`: {version_output.strip()[:200]}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


@cache  # `java -version` costs a JVM start; a path's version does not change
def check_java(java: str) -> None:
    """Refuse a Java older than 17 up front (Neo4j 5.26 would fail with a class-version error)."""
    done = subprocess.run([java, "-version"], check=False, capture_output=True, text=True, timeout=60)
    major = java_major_version(done.stderr + done.stdout)
    if major < 17:
        raise ServerError(f"{java} is Java {major}; Neo4j 5.26 needs Java 17 or 21 (set JAVA_HOME to one)")
    if major not in (17, 21):
        log.warning("%s is Java %s; Neo4j 5.26 supports Java 17 and 21 only (set JAVA_HOME if it fails)", java, major)


def java_env(java: str, home: Path) -> dict[str, str]:
    """The environment for a Neo4j JVM on ``home``: ``NEO4J_HOME``, ``NEO4J_CONF``, ``JAVA_HOME``."""
    env = dict(os.environ)
    # Neo4jAdminCommand forks a JVM from $JAVA_HOME; derive it from the java we found.
    env.setdefault("JAVA_HOME", str(Path(os.path.realpath(java)).parents[1]))
    env["NEO4J_HOME"] = str(home)
    env["NEO4J_CONF"] = str(home / "conf")
    return env
