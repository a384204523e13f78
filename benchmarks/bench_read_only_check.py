"""Time what the read-only plan check (``EXPLAIN`` + plan inspection) adds to an ad hoc query.

Runs a small read 50 times directly in a READ transaction and 50 times through
``run_cypher`` (plan check, then the READ transaction), and prints both medians.
Target: the check adds under 20 ms per query. Reads only; any server will do::

    customsnet db scratch -- python benchmarks/bench_read_only_check.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from customsnet.graph.connection import Graph
from customsnet.graph.queries import _collect, run_cypher

QUERY = "MATCH (n) RETURN count(n) AS n"
REPEATS = 50


def median_ms(run: Callable[[], object]) -> float:
    for _ in range(5):  # warm the connection pool and the query cache
        run()
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    with Graph.connect() as graph:
        direct = median_ms(lambda: graph.execute_read(_collect, QUERY, {}))
        checked = median_ms(lambda: run_cypher(graph, QUERY))
    print(f"READ transaction only:      median {direct:6.1f} ms")
    print(
        f"plan check + READ transaction: median {checked:6.1f} ms  (check adds {checked - direct:.1f} ms; target < 20)"
    )


if __name__ == "__main__":
    main()
