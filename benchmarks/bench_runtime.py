"""Time the local Neo4j runtime: jar resolution, initial password, first start, stop, restart.

    python benchmarks/bench_runtime.py [--cold] [--restarts 2]

Uses a private home in a temporary folder on free ports, sharing the cached jars
(``<cache>/neo4j-<version>/lib``, resolved first if missing). ``--cold`` also resolves the jars
into a temporary folder with an empty temporary Maven repository (a full download from Maven
Central, ~140 MB). Prints one line per step and the load average, since start times on a
shared 2-core box depend mostly on what else runs.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from customsnet.config import Settings
from customsnet.graph import runtime


def rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return -1


def step(name: str, seconds: float, extra: str = "") -> None:
    load = os.getloadavg()[0]
    print(f"{name:<28} {seconds:7.1f} s   load {load:4.1f}   {extra}", flush=True)


def cold_resolution(version: str) -> None:
    with tempfile.TemporaryDirectory(prefix="customsnet-cold-") as scratch:
        saved = os.environ.get("MAVEN_OPTS")
        # mvn hands MAVEN_OPTS to its JVM, so this points Maven at an empty local repository
        os.environ["MAVEN_OPTS"] = f"{saved or ''} -Dmaven.repo.local={scratch}/m2".strip()
        try:
            result = runtime.resolve_jars(Path(scratch) / "lib", version, report=lambda _: None)
        finally:
            if saved is None:
                os.environ.pop("MAVEN_OPTS")
            else:
                os.environ["MAVEN_OPTS"] = saved
        step(
            "cold resolution (empty .m2)", result.seconds, f"{result.jar_count} jars, {result.total_bytes / 1e6:.1f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="also time a download into an empty Maven repository")
    parser.add_argument("--restarts", type=int, default=2)
    args = parser.parse_args()

    settings = Settings.from_env()
    print(f"Neo4j {settings.neo4j_version}, java {runtime.find_java()}, {os.cpu_count()} CPUs")
    if args.cold:
        cold_resolution(settings.neo4j_version)
    started = time.monotonic()
    resolution = runtime.resolve_jars(runtime.local_lib(settings), settings.neo4j_version, report=lambda _: None)
    step(
        "cached resolution" if resolution.cached else "resolution (warm .m2)",
        time.monotonic() - started,
        f"{resolution.jar_count} jars, {resolution.total_bytes / 1e6:.1f} MB",
    )

    home = Path(tempfile.mkdtemp(prefix="customsnet-bench-"))
    local = runtime.LocalServer(home, resolution.lib, runtime.free_port(), runtime.free_port(), die_with_parent=True)
    password = secrets.token_urlsafe(18)
    try:
        local.prepare()
        started = time.monotonic()
        local.set_initial_password(password)
        step("set-initial-password", time.monotonic() - started)
        for attempt in range(args.restarts + 1):
            started = time.monotonic()
            result = local.start(password, report=lambda _: None)
            step(
                "first start" if attempt == 0 else f"restart {attempt}",
                time.monotonic() - started,
                f"RSS {rss_mb(result.pid)} MB",
            )
            started = time.monotonic()
            local.stop()
            step("stop (SIGTERM, clean)", time.monotonic() - started)
    finally:
        local.stop()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
