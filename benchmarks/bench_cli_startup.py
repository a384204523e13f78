"""Time the command line's start-up: ``python -m customsnet --help`` and ``--version``.

    python benchmarks/bench_cli_startup.py [--repeats 5]

Target (issue 13): under 0.5 s each. Prints the best and median wall time of each over
``--repeats`` runs in fresh interpreters, and the import time of ``customsnet.cli`` alone as
``python -X importtime`` reports it. ``tests/commands/test_cli_startup.py`` is the deterministic
check (no heavy module imported); this script gives the number.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time


def wall_times(args: list[str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "customsnet", *args], check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def cli_import_microseconds() -> int:
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import customsnet.cli"], capture_output=True, text=True, check=True
    )
    line = next(line for line in run.stderr.splitlines() if re.search(r"\|\s+customsnet\.cli$", line))
    return int(line.split("|")[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats
    print(f"load average {os.getloadavg()[0]:.2f}")
    for args in (["--help"], ["--version"]):
        times = wall_times(args, repeats)
        print(
            f"python -m customsnet {' '.join(args):<10} best {min(times):.3f} s  "
            f"median {statistics.median(times):.3f} s  (target < 0.5 s)"
        )
    print(f"import customsnet.cli (cumulative, -X importtime): {cli_import_microseconds() / 1e6:.3f} s")


if __name__ == "__main__":
    main()
