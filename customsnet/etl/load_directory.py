"""Load every recognised source file under a directory, identity tables first.

``customsnet load all DIR`` and ``benchmarks/bench_load.py`` use this: files are detected by
:func:`~customsnet.etl.detect.detect_source`, read, and written with
:func:`~customsnet.etl.load.load_result`, one at a time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from customsnet.etl.canonical import SourceFormatError
from customsnet.etl.countries import CountryResolver, cached_resolver
from customsnet.etl.detect import detect_source, read_source
from customsnet.etl.load import DEFAULT_MAX_REJECT_SHARE, DEFAULT_REJECTS_DIR, LoadError, LoadReport, Progress, load_result
from customsnet.graph.connection import Graph

#: sources loaded first, in this order: country identities, then the state system (node sets);
#: every other source follows in name order (they only refer to countries)
FIRST_SOURCES = ["country_codes", "cow_states"]


@dataclass
class SourceFile:
    """A file found under the directory and the reader that handles it."""

    source: str
    path: Path


@dataclass
class FileOutcome:
    """One file's load: its report, or the error that stopped it (then nothing of it was written)."""

    file: SourceFile
    report: LoadReport | None
    error: str | None
    read_seconds: float
    write_seconds: float


def load_order(source: str) -> tuple[int, str]:
    """Sort key: identity tables and the state system before every other source."""
    if source in FIRST_SOURCES:
        return (FIRST_SOURCES.index(source), source)
    return (len(FIRST_SOURCES), source)


def discover_sources(directory: str | Path) -> list[SourceFile]:
    """Every CSV under ``directory`` (recursively) that a reader recognises, in load order."""
    found = []
    for path in sorted(Path(directory).rglob("*.csv")):
        source = detect_source(path)
        if source is not None:
            found.append(SourceFile(source, path))
    return sorted(found, key=lambda f: (*load_order(f.source), str(f.path)))


def load_directory(
    graph: Graph,
    directory: str | Path,
    *,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    rejects_dir: str | Path = DEFAULT_REJECTS_DIR,
    resolver: CountryResolver | None = None,
    progress: Progress | None = None,
    on_outcome: Callable[[FileOutcome], None] | None = None,
) -> list[FileOutcome]:
    """Read and load every recognised file; a file that fails is reported and the others still load.

    The country resolver defaults to the one enriched by ``DIR/country_codes`` when present.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: not a directory")
    resolver = resolver or cached_resolver(str(directory))
    outcomes = []
    for found in discover_sources(directory):
        outcome = load_file(graph, found.source, found.path, resolver, max_reject_share=max_reject_share,
                            rejects_dir=rejects_dir, progress=progress)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
    return outcomes


def load_file(
    graph: Graph,
    source: str,
    path: str | Path,
    resolver: CountryResolver,
    *,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    rejects_dir: str | Path = DEFAULT_REJECTS_DIR,
    progress: Progress | None = None,
) -> FileOutcome:
    """Read one file with the ``source`` reader and load it; a file-level error becomes the outcome's message."""
    started = time.monotonic()
    report, error, read_seconds = None, None, 0.0
    try:
        result = read_source(source, path, resolver)
        read_seconds = time.monotonic() - started
        report = load_result(graph, result, max_reject_share=max_reject_share, rejects_dir=rejects_dir,
                             resolver=resolver, progress=progress)
    except (SourceFormatError, LoadError) as exc:
        error = str(exc)
        read_seconds = read_seconds or time.monotonic() - started
    return FileOutcome(SourceFile(source, Path(path)), report, error, read_seconds,
                       time.monotonic() - started - read_seconds)
