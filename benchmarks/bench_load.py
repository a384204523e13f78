"""Time loading every source file of a directory (default ../shared/data) into an EMPTY graph.

    NEO4J_URI=bolt://127.0.0.1:7687 NEO4J_PASSWORD=… python benchmarks/bench_load.py --clear

Prints per-file read and write seconds, then the total, then counts per label and relationship
type; ``--twice`` loads everything a second time (the idempotent reload: nothing changes) and
prints that time too. ``--clear`` is required: the benchmark deletes all data first.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from customsnet.etl.load_directory import FileOutcome, load_directory
from customsnet.graph.connection import Graph
from customsnet.graph.schema import apply_schema, clear_database

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def counts(graph: Graph) -> dict[str, int]:
    """Nodes per label and relationships per type."""
    labels = graph.read("MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label")
    types = graph.read("MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type")
    return {**{f":{r['label']}": r["n"] for r in labels}, **{f"[:{r['type']}]": r["n"] for r in types}}


def print_outcome(outcome: FileOutcome) -> None:
    report = outcome.report
    rows = (
        f"{report.rows_read:>7} read {report.rows_loaded:>7} loaded {report.rows_rejected:>4} rejected"
        if report
        else ""
    )
    status = report.previous if report else f"FAILED: {outcome.error}"
    print(
        f"{outcome.file.source:>14} {outcome.file.path.name:<48} read {outcome.read_seconds:5.1f} s "
        f"write {outcome.write_seconds:5.1f} s  {rows}  {status}",
        flush=True,
    )


def packer() -> str:
    """Which Bolt packer the driver uses (the optional neo4j-rust-ext is several times faster)."""
    from neo4j._codec.packstream import v1  # private, but the only way to tell

    return "rust (neo4j-rust-ext)" if getattr(v1, "_rust_pack", None) else "pure Python"


def run_once(graph: Graph, data: Path, rejects: str) -> float:
    started, cpu = time.monotonic(), time.process_time()
    load_directory(graph, data, rejects_dir=rejects, on_outcome=print_outcome)
    total = time.monotonic() - started
    # wall time on the shared machine follows its load; the client's CPU time much less so
    print(
        f"total {total:.1f} s, client CPU {time.process_time() - cpu:.1f} s "
        f"(load average {os.getloadavg()[0]:.1f} at the end)",
        flush=True,
    )
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--clear", action="store_true", help="required: delete all data first")
    parser.add_argument("--twice", action="store_true", help="load a second time (idempotent reload)")
    args = parser.parse_args()
    if not args.clear:
        parser.error("--clear is required (the benchmark deletes all data in the target database)")
    with Graph.connect() as graph, tempfile.TemporaryDirectory() as rejects:
        clear_database(graph)
        apply_schema(graph)
        print(f"{args.data}, Bolt packer: {packer()}, server {graph.server_info()['version']}", flush=True)
        run_once(graph, args.data, rejects)
        first = counts(graph)
        for key, value in first.items():
            print(f"{key:<22} {value:>8}")
        if args.twice:
            run_once(graph, args.data, rejects)
            second = counts(graph)
            print("second load: counts", "identical" if second == first else f"DIFFER: {second}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
