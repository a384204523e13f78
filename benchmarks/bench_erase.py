"""Time `unload` and `db reset` on a graph holding all of ``../shared/data``; peak transaction memory.

    customsnet db scratch -- python benchmarks/bench_erase.py [--no-load] [--unload SOURCE | --unload '']

Loads ``../shared/data`` (unless ``--no-load``), then, while a second connection polls
``SHOW TRANSACTIONS`` every 50 ms for the largest ``estimatedUsedHeapMemory`` of a running
transaction, unloads one source and resets the graph. Also tries the unbatched
``MATCH (n) DETACH DELETE n`` first, which the server's transaction memory limit refuses on this
graph (that refusal is the reason the deletes are batched). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from pathlib import Path

from customsnet.etl.load import unload_source
from customsnet.graph.connection import Graph
from customsnet.graph.erase import graph_counts, reset_graph

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"


class PeakTransactionMemory:
    """Polls SHOW TRANSACTIONS from its own connection; ``peak`` is the largest estimate seen (bytes)."""

    def __init__(self, graph: Graph, interval: float = 0.05) -> None:
        self.graph, self.interval, self.peak, self.samples = graph, interval, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rows = self.graph.read(
                "SHOW TRANSACTIONS YIELD currentQuery, estimatedUsedHeapMemory "
                "WHERE NOT currentQuery STARTS WITH 'SHOW' RETURN max(estimatedUsedHeapMemory) AS m"
            )
            self.samples += 1
            self.peak = max(self.peak, int(rows[0]["m"] or 0))
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--unload", default="cow_trade:cow_trade_ndy_v4_1985_2014", help="'' to reset the full graph")
    args = parser.parse_args()
    out: dict = {}
    with Graph.connect() as graph, Graph.connect() as monitor:
        if not args.no_load:
            from customsnet.etl.load_directory import load_directory
            from customsnet.graph.schema import apply_schema

            apply_schema(graph)
            started = time.perf_counter()
            load_directory(graph, DATA, rejects_dir=Path("/tmp") / "bench_erase_rejects")
            out["load_seconds"] = round(time.perf_counter() - started, 1)
        out["before"] = graph_counts(graph)
        started = time.perf_counter()
        try:
            # one auto-commit transaction, not execute_write: that would retry the refusal
            graph.run_autocommit("MATCH (n) DETACH DELETE n")
            out["unbatched_delete"] = "succeeded"
        except Exception as exc:  # noqa: BLE001 - the refusal is what we measure
            out["unbatched_delete"] = (
                f"refused after {time.perf_counter() - started:.1f} s: {type(exc).__name__}: {str(exc)[:160]}"
            )
        steps = [(f"unload {args.unload}", lambda: unload_source(graph, args.unload))] if args.unload else []
        steps.append(("reset", lambda: reset_graph(graph)))
        for name, action in steps:
            with PeakTransactionMemory(monitor) as peak:
                started = time.perf_counter()
                report = action()
                seconds = time.perf_counter() - started
            # reset_graph reports its transactions; the ETL's unload returns facts deleted by kind
            deleted = report if isinstance(report, dict) else report.by_kind
            out[name] = {
                "seconds": round(seconds, 1),
                "transactions": getattr(report, "transactions", None),
                "deleted": deleted,
                "peak_tx_memory_mb": round(peak.peak / 2**20, 1),
                "memory_samples": peak.samples,
            }
        out["after"] = graph_counts(graph)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
