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

from customsnet.etl.countries import CountryResolver, cached_resolver
from customsnet.etl.detect import detect_source, read_source
from customsnet.etl.load import (
    DEFAULT_MAX_REJECT_SHARE,
    DEFAULT_REJECTS_DIR,
    LoadError,
    LoadInterrupted,
    LoadReport,
    Progress,
    load_result,
)
from customsnet.graph.connection import Graph

#: sources loaded first, in this order: country identities, then the state system (node sets);
#: every other source follows in name order (they only refer to countries)
FIRST_SOURCES = ["country_codes", "cow_states"]


@dataclass
class SourceFile:
    """A file found under the directory and the reader that handles it."""

    source: str
    path: Path
    #: why the file could not even be looked at (then it is reported as failed)
    problem: str | None = None


@dataclass
class FileOutcome:
    """One file's load: its report, or the error that stopped it (``partial``: part of it may remain)."""

    file: SourceFile
    report: LoadReport | None
    error: str | None
    read_seconds: float
    write_seconds: float
    partial: bool = False


def load_order(source: str) -> tuple[int, str]:
    """Sort key: identity tables and the state system before every other source."""
    if source in FIRST_SOURCES:
        return (FIRST_SOURCES.index(source), source)
    return (len(FIRST_SOURCES), source)


def discover_sources(directory: str | Path) -> list[SourceFile]:
    """Every CSV under ``directory`` (recursively) that a reader recognises, in load order.

    A file that cannot even be opened is listed too (``problem`` says why), so it is reported.
    """
    found = []
    for path in sorted(Path(directory).rglob("*.csv")):
        try:
            source = detect_source(path)
        except OSError as error:
            found.append(SourceFile("unreadable", path, f"{path}: cannot be read ({error.strerror or error})"))
            continue
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
    allow_shrink: bool = False,
) -> list[FileOutcome]:
    """Read and load every recognised file; a file that fails is reported and the others still load.

    Ctrl-C stops the whole run (:class:`~customsnet.etl.load.LoadInterrupted`, after the
    interrupted file was rolled back); the outcomes so far are on the exception as ``outcomes``.

    The country resolver defaults to the one enriched by ``DIR/country_codes`` when present.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: not a directory")
    resolver = resolver or cached_resolver(str(directory))
    outcomes = []
    for found in discover_sources(directory):
        if found.problem:
            outcome = FileOutcome(found, None, found.problem, 0.0, 0.0)
        else:
            try:
                outcome = load_file(
                    graph,
                    found.source,
                    found.path,
                    resolver,
                    max_reject_share=max_reject_share,
                    rejects_dir=rejects_dir,
                    progress=progress,
                    allow_shrink=allow_shrink,
                )
            except LoadInterrupted as interrupted:
                interrupted.outcomes = outcomes  # type: ignore[attr-defined]
                raise
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
    allow_shrink: bool = False,
) -> FileOutcome:
    """Read one file with the ``source`` reader and load it; any error becomes the outcome's message.

    Whatever goes wrong with one file (unreadable, too large, out of memory, refused by the graph)
    is reported naming the file, so ``load all`` goes on with the others; only Ctrl-C
    (:class:`~customsnet.etl.load.LoadInterrupted`) propagates.
    """
    started = time.monotonic()
    report, error, partial, read_seconds = None, None, False, 0.0
    try:
        try:
            result = read_source(source, path, resolver)
        except KeyboardInterrupt:
            raise LoadInterrupted(f"{path}: interrupted (Ctrl-C) while reading; nothing of it was written") from None
        read_seconds = time.monotonic() - started
        report = load_result(
            graph,
            result,
            max_reject_share=max_reject_share,
            rejects_dir=rejects_dir,
            resolver=resolver,
            progress=progress,
            allow_shrink=allow_shrink,
        )
    except LoadInterrupted:
        raise
    except LoadError as exc:
        error, partial = str(exc), exc.partial
    except MemoryError:
        error = f"{path}: ran out of memory reading it; split the file or raise the machine's memory"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others; the message names it
        text = str(exc)
        error = text if str(path) in text else f"{path}: {type(exc).__name__}: {text}"
    if error is not None:
        read_seconds = read_seconds or time.monotonic() - started
    return FileOutcome(
        SourceFile(source, Path(path)), report, error, read_seconds, time.monotonic() - started - read_seconds, partial
    )
