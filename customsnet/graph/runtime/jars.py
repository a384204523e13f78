"""The Neo4j server's jars, resolved once from Maven Central into a (shareable) ``lib`` folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from customsnet.config import NEO4J_BROWSER_VERSION
from customsnet.graph.errors import ServerError
from customsnet.graph.runtime.progress import Report, log_report

POM_FILE = Path(__file__).resolve().parent / "pom.xml"
COMPLETE_MARKER = ".complete"


def jar_summary(lib: Path) -> tuple[int, int]:
    """Number of jars in ``lib`` and their total size in bytes."""
    jars = list(lib.glob("*.jar"))
    return len(jars), sum(j.stat().st_size for j in jars)


# ------------------------------------------------------------------ jars from Maven Central
@dataclass(frozen=True)
class JarResolution:
    """What :func:`resolve_jars` did: ``cached`` is False when Maven ran (``seconds`` is its time)."""

    lib: Path
    cached: bool
    seconds: float
    jar_count: int
    total_bytes: int

    def describe(self) -> str:
        size = f"{self.jar_count} jars, {self.total_bytes / 1e6:.0f} MB"
        if self.cached:
            return f"Neo4j jars cached in {self.lib} ({size})"
        return f"resolved Neo4j jars from Maven Central in {self.seconds:.1f} s ({size}) into {self.lib}"


def _cached_resolution(lib: Path, version: str) -> JarResolution:
    try:
        recorded = json.loads((lib / COMPLETE_MARKER).read_text())
    except ValueError:
        recorded = None
    found = recorded.get("version") if isinstance(recorded, dict) else None  # hand-made marker: trust it
    if found and found != version:
        raise ServerError(
            f"{lib} holds the jars of Neo4j {found}, not {version}; make CUSTOMSNET_NEO4J_LIB and "
            "CUSTOMSNET_NEO4J_VERSION agree (or unset both)"
        )
    count, size = jar_summary(lib)
    return JarResolution(lib, True, 0.0, count, size)


def resolve_jars(lib: Path, version: str, report: Report = log_report, timeout: float = 1200) -> JarResolution:
    """Make ``lib`` hold the classpath of Neo4j Community ``version`` plus Neo4j Browser.

    Runs ``mvn dependency:copy-dependencies`` on ``graph/runtime/pom.xml`` unless ``lib/.complete``
    exists; a file lock keeps two processes from resolving into the same directory at once.
    """
    marker = lib / COMPLETE_MARKER
    if marker.is_file():
        return _cached_resolution(lib, version)
    lib.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lib.parent / f".{lib.name}.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise ServerError(f"another process has been resolving Neo4j jars into {lib} for {timeout:.0f} s") from exc
    try:
        if marker.is_file():  # resolved by another process while we waited
            return _cached_resolution(lib, version)
        mvn = shutil.which("mvn")
        if not mvn:
            raise ServerError(
                "Maven (`mvn`) is needed once to fetch the Neo4j jars from Maven Central but is not on "
                "PATH; install it (e.g. `apt-get install maven`), or use Docker, or set NEO4J_URI"
            )
        if lib.exists() and any(lib.iterdir()):
            # may be a folder the user pointed CUSTOMSNET_NEO4J_LIB at: never delete it
            raise ServerError(
                f"{lib} holds files but no {COMPLETE_MARKER} marker (not a finished customsnet jar "
                f"download); delete it, or point CUSTOMSNET_NEO4J_LIB at an empty or complete folder"
            )
        # Maven fills a staging folder that is renamed when complete: an interrupted download
        # never looks finished, and the next attempt simply starts over.
        staging = lib.with_name(lib.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        report(f"resolving Neo4j {version} jars from Maven Central into {lib} ...")
        cmd = [
            mvn,
            "-B",
            "-q",
            "-f",
            str(POM_FILE),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
            f"-Dneo4j.version={version}",
            f"-Dneo4j.browser.version={NEO4J_BROWSER_VERSION}",
        ]
        started = time.monotonic()
        try:
            done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise ServerError(f"Maven did not finish resolving Neo4j {version} within {timeout:.0f} s") from exc
        seconds = time.monotonic() - started
        if done.returncode != 0:
            output = "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:])
            raise ServerError(
                f"Maven could not resolve org.neo4j:neo4j:{version} (is Maven Central reachable? "
                f"is {version} a published 5.26.x version?):\n{output}"
            )
        count, size = jar_summary(staging)
        if count == 0:
            raise ServerError(f"Maven finished but {staging} holds no jars")
        (staging / COMPLETE_MARKER).write_text(
            json.dumps({"version": version, "seconds": round(seconds, 1), "jars": count, "bytes": size})
        )
        if lib.exists():
            lib.rmdir()  # empty (checked above)
        staging.rename(lib)
        resolution = JarResolution(lib, False, seconds, count, size)
        report(resolution.describe())
        return resolution
    finally:
        lock.release()
