"""Canonical frames → Neo4j: batched ``UNWIND … MERGE`` with provenance, all or nothing.

:func:`load_result` writes one reader's :class:`~customsnet.etl.canonical.ReadResult` with the
``customsnet/cypher/load_*.cypher`` files, in the shapes of ``docs/graph-model.md``.

How a load stays all-or-nothing (details and reasons in ``docs/graph-model.md``, "Loading"):

* Everything that can be wrong with the data is checked before the first write: a file-level
  error raises :class:`~customsnet.etl.canonical.SourceFormatError` in the reader, too many
  rejected rows raise :class:`RejectThresholdError` here. Either way nothing is written.
* Every fact is MERGEd on its key, so loading the same file again changes nothing but
  ``Source.loaded_at``, and a load killed midway converges when rerun.
* Every node or relationship a load creates is tagged ``load_id`` (only on creation). If a write
  fails midway, the load deletes what carries its ``load_id`` and, if it was overwriting an older
  version of the file, puts back the properties it copied before writing; then it re-raises.
* Facts carry ``version`` (the file's SHA-256 prefix). After a changed file loaded completely,
  the source's facts with another version — rows the new file no longer has — are deleted.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import pandas as pd

from customsnet.cypher import load_cypher, split_statements
from customsnet.etl.canonical import CANONICAL_COLUMNS, REJECT_COLUMNS, ReadResult
from customsnet.etl.countries import EU, CountryResolver, cached_resolver
from customsnet.graph.connection import Graph

DEFAULT_BATCH_SIZE = 10_000
DEFAULT_MAX_REJECT_SHARE = 0.05
DEFAULT_REJECTS_DIR = Path("rejects")
#: agreement type → Cypher file writing its pairwise ties
TIE_QUERIES = {"CMAA": "load_ties_cmaa", "MLAT": "load_ties_mlat", "FTA": "load_ties_fta"}

#: queries with a CREATE twin for a source's first load (its keys cannot exist yet; measured ~20% faster)
FIRST_LOAD_QUERIES = {"load_trade": "load_trade_new"}

#: ``progress(description, total)`` starts a task and returns ``advance(n)``
Progress = Callable[[str, int], Callable[[int], None]]


class LoadError(RuntimeError):
    """A load failed; the message says which file and why, and whether it was rolled back."""


class RejectThresholdError(LoadError):
    """Too many rows of a file were rejected by its reader; nothing was written."""


@dataclass
class LoadReport:
    """What one load did: provenance, row counts, rows written per kind, time taken."""

    name: str  # Source.name, the provenance key facts carry in `source`
    reader: str
    file: str
    layout: str
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rejects_file: Path | None
    seconds: float = 0.0
    #: query → rows sent (a row may create a node, relationships, or update them)
    written: dict[str, int] = field(default_factory=dict)
    #: query → seconds its batches took
    step_seconds: dict[str, float] = field(default_factory=dict)
    #: "first" (no Source of this name before), "same" (same sha256 reloaded) or "changed"
    previous: str = "first"
    notes: list[str] = field(default_factory=list)

    @property
    def rejected_share(self) -> float:
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0


@dataclass
class WriteStep:
    """One batched write: a ``load_*.cypher`` file and the rows it unwinds."""

    query: str
    rows: list[Any]
    label: str
    #: facts per row (trade rows are dyads holding several years): batches stay ~batch_size facts
    facts_per_row: float = 1.0


# ------------------------------------------------------------------ pure helpers
def source_name(result: ReadResult) -> str:
    """The Source key of a file: reader source and file stem (several files may share a reader)."""
    return f"{result.source}:{Path(result.file).stem}"


def new_load_id() -> str:
    """A unique id for one run of :func:`load_result` (UTC time + random suffix, sortable)."""
    return f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


def _plain(value: Any) -> Any:
    """A value the driver stores as it is: missing (NaN, NA, NaT) → None, numpy → Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict, str)):
        return _plain(value.item())  # numpy scalar
    return value


def records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Rows of ``frame[columns]`` as dicts of plain Python values (missing → None)."""
    values = {column: [_plain(v) for v in frame[column].tolist()] for column in columns}
    return [dict(zip(columns, row)) for row in zip(*(values[c] for c in columns))]


def _year(value: Any) -> int | None:
    value = _plain(value)
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    return int(value)


def country_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for ``load_countries`` / ``load_referenced_countries``."""
    return records(frame, CANONICAL_COLUMNS["countries"])


def membership_rows(frame: pd.DataFrame, source: str) -> list[dict[str, Any]]:
    """Rows for ``load_membership``, keyed ``source|iso3|since``."""
    rows = records(frame, ["iso3", "since", "until", "row"])
    for row in rows:
        row["key"] = f"{source}|{row['iso3']}|{row['since']}"
    return rows


def agreement_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for ``load_agreements`` (one per agreement)."""
    columns = ["id", "type", "title", "signed", "year_signed", "in_force", "terminated", "source_url", "row"]
    return records(frame, columns)


def party_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for ``load_agreement_parties``: one per (agreement, party), keyed ``id|iso3``."""
    rows = []
    for agreement, parties, row in zip(frame["id"], frame["parties"], frame["row"]):
        for iso3 in sorted(set(parties)):
            rows.append({"key": f"{agreement}|{iso3}", "iso3": iso3, "agreement": agreement, "row": int(row)})
    return rows


def tie_rows(frame: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Pairwise ties per agreement type: every pair of parties, lower → higher iso3.

    ``since`` is the year signed (``year_signed``, else the signature date's year), ``in_force``
    and ``until`` the years of entry into force and termination; keyed ``id|iso1|iso2``.
    """
    ties: dict[str, list[dict[str, Any]]] = {}
    for agreement in records(frame, ["id", "type", "signed", "year_signed", "in_force", "terminated", "parties", "row"]):
        since = agreement["year_signed"] if agreement["year_signed"] is not None else _year(agreement["signed"])
        for iso1, iso2 in combinations(sorted(set(agreement["parties"])), 2):
            ties.setdefault(agreement["type"], []).append({
                "key": f"{agreement['id']}|{iso1}|{iso2}",
                "iso1": iso1,
                "iso2": iso2,
                "agreement": agreement["id"],
                "since": _year(since),
                "in_force": _year(agreement["in_force"]),
                "until": _year(agreement["terminated"]),
                "row": agreement["row"],
            })
    return ties


def observation_rows(frame: pd.DataFrame, source: str) -> list[dict[str, Any]]:
    """Rows for ``load_observations``, keyed ``source|iso3|year|variable``."""
    rows = records(frame, ["iso3", "year", "variable", "value", "row"])
    for row in rows:
        row["key"] = f"{source}|{row['iso3']}|{row['year']}|{row['variable']}"
        if row["value"] is not None:
            row["value"] = float(row["value"])
    return rows


def trade_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """Rows for ``load_trade``: one per dyad, ``[iso1, iso2, [[year, value, flow1, flow2, row], ...]]``.

    Grouping by dyad lets the query find both countries once per dyad instead of once per year.
    """
    ordered = frame.sort_values(["iso1", "iso2", "year"], kind="stable")
    columns = ["iso1", "iso2", "year", "value", "flow1", "flow2", "row"]
    values = [[_plain(v) for v in ordered[column].tolist()] for column in columns]
    dyads: list[list[Any]] = []
    for iso1, iso2, *year_row in zip(*values):
        if not dyads or dyads[-1][0] != iso1 or dyads[-1][1] != iso2:
            dyads.append([iso1, iso2, []])
        dyads[-1][2].append(year_row)
    return dyads


def contiguity_rows(frame: pd.DataFrame, source: str) -> list[dict[str, Any]]:
    """Rows for ``load_contiguity``, keyed ``source|iso1|iso2|type|since``."""
    rows = records(frame, ["iso1", "iso2", "type", "since", "until", "row"])
    for row in rows:
        row["key"] = f"{source}|{row['iso1']}|{row['iso2']}|{row['type']}|{row['since']}"
    return rows


def referenced_countries(frames: dict[str, pd.DataFrame]) -> set[str]:
    """Every country key the facts of ``frames`` refer to (they must exist as Country nodes)."""
    keys: set[str] = set()
    for kind, frame in frames.items():
        if kind in ("countries", "membership", "observations"):
            keys.update(frame["iso3"].dropna().tolist())
        elif kind in ("trade", "contiguity"):
            keys.update(frame["iso1"].dropna().tolist())
            keys.update(frame["iso2"].dropna().tolist())
        elif kind == "agreements":
            for parties in frame["parties"]:
                keys.update(parties)
    return {str(key) for key in keys}


def reference_rows(keys: Iterable[str], resolver: CountryResolver) -> list[dict[str, Any]]:
    """Identity rows for ``keys`` from the resolver; a key it does not know gets only its iso3."""
    keys = sorted(set(keys))
    known = country_rows(resolver.countries_frame(keys)) if keys else []
    found = {row["iso3"] for row in known}
    unknown = [{"iso3": key, "cow": None, "name": None, "region": None, "is_state": None}
               for key in keys if key not in found and key != EU]
    return known + unknown


def plan_writes(result: ReadResult, name: str, resolver: CountryResolver) -> list[WriteStep]:
    """The batched writes for a result, in dependency order (countries before facts on them)."""
    frames = result.frames
    unknown = set(frames) - set(CANONICAL_COLUMNS)
    if unknown:
        raise LoadError(f"{result.file}: the loader has no graph shape for frame(s) {sorted(unknown)}")
    for kind, frame in frames.items():
        missing = [column for column in CANONICAL_COLUMNS[kind] if column not in frame.columns]
        if missing:
            raise LoadError(f"{result.file}: {kind} frame lacks column(s) {missing}")
    steps: list[WriteStep] = []
    if "countries" in frames:
        steps.append(WriteStep("load_countries", country_rows(frames["countries"]), "countries"))
    steps.append(WriteStep("load_referenced_countries", reference_rows(referenced_countries(frames), resolver),
                           "referenced countries"))
    if "membership" in frames:
        steps.append(WriteStep("load_membership", membership_rows(frames["membership"], name), "membership spells"))
    if "agreements" in frames:
        agreements = frames["agreements"]
        bad = sorted(set(agreements["type"].dropna()) - set(TIE_QUERIES))
        if bad:
            raise LoadError(f"{result.file}: agreement type(s) {bad}; expected one of {sorted(TIE_QUERIES)}")
        steps.append(WriteStep("load_agreements", agreement_rows(agreements), "agreements"))
        steps.append(WriteStep("load_agreement_parties", party_rows(agreements), "parties"))
        for kind, rows in sorted(tie_rows(agreements).items()):
            steps.append(WriteStep(TIE_QUERIES[kind], rows, f"{kind} ties"))
    if "observations" in frames:
        steps.append(WriteStep("load_observations", observation_rows(frames["observations"], name), "observations"))
    if "trade" in frames:
        dyads = trade_rows(frames["trade"])
        steps.append(WriteStep("load_trade", dyads, "trade dyads", len(frames["trade"]) / max(len(dyads), 1)))
    if "contiguity" in frames:
        steps.append(WriteStep("load_contiguity", contiguity_rows(frames["contiguity"], name), "contiguity spells"))
    return steps


def write_rejects(result: ReadResult, name: str, rejects_dir: str | Path) -> Path:
    """Write the file's rejected rows to ``<rejects_dir>/<name>.rejects.csv`` (header only if none)."""
    directory = Path(rejects_dir)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name.replace(':', '__')}.rejects.csv"
    rejects = result.rejects if len(result.rejects) else pd.DataFrame(columns=REJECT_COLUMNS)
    rejects.reindex(columns=REJECT_COLUMNS).to_csv(path, index=False)
    return path


def check_reject_share(result: ReadResult, max_reject_share: float, rejects_file: Path) -> None:
    """Raise :class:`RejectThresholdError` when more than ``max_reject_share`` of the rows were rejected."""
    if result.rejected_share > max_reject_share:
        reasons = result.rejects["reason"].astype(str).str.split(r" \(").str[0].value_counts().head(3)
        common = "; ".join(f"{reason} ({count})" for reason, count in reasons.items())
        raise RejectThresholdError(
            f"{result.file}: {result.rows_rejected} of {result.rows_read} rows rejected "
            f"({result.rejected_share:.1%} > {max_reject_share:.1%}); nothing loaded. "
            f"Most common: {common}. All rejects: {rejects_file}. Raise --max-reject-share to load anyway."
        )


# ------------------------------------------------------------------ the I/O shell
def load_result(
    graph: Graph,
    result: ReadResult,
    *,
    max_reject_share: float = DEFAULT_MAX_REJECT_SHARE,
    rejects_dir: str | Path = DEFAULT_REJECTS_DIR,
    resolver: CountryResolver | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> LoadReport:
    """Write one reader's result into the graph, with provenance; all or nothing.

    Rejected rows go to ``rejects_dir``; if their share exceeds ``max_reject_share`` nothing is
    written (:class:`RejectThresholdError`). A failed write is rolled back before re-raising as
    :class:`LoadError`. ``resolver`` supplies names and COW codes for countries that facts refer to
    and the graph lacks (default: the embedded resolver).
    """
    started = time.monotonic()
    name = source_name(result)
    rejects_file = write_rejects(result, name, rejects_dir)
    check_reject_share(result, max_reject_share, rejects_file)
    steps = plan_writes(result, name, resolver or cached_resolver())
    version = result.sha256[:16]
    load_id = new_load_id()
    report = LoadReport(
        name=name, reader=result.source, file=str(result.file), layout=result.layout, sha256=result.sha256,
        rows_read=result.rows_read, rows_loaded=result.rows_loaded, rows_rejected=result.rows_rejected,
        rejects_file=rejects_file, notes=list(result.notes),
    )
    params = {"source": name, "version": version, "load_id": load_id}
    snapshot: list[dict[str, Any]] = []
    try:
        before = graph.write_records(load_cypher("load_source_begin"), name=name, load_id=load_id)[0]
        if before["created"]:
            report.previous = "first"
        elif before["sha256"] == result.sha256:
            report.previous = "same"
        else:
            report.previous = "changed"  # or a load that was killed before load_source_finish
        # copy what this load may overwrite; a reload of the same file overwrites values with equals
        touched_countries = sorted(
            {row["iso3"] for step in steps if step.query.endswith("countries") for row in step.rows}
        )
        snapshot = graph.read(load_cypher("load_snapshot_countries"), iso3s=touched_countries)
        if report.previous == "changed":
            snapshot += graph.read(load_cypher("load_snapshot_facts"), source=name)
        graph.write(load_cypher("load_system"), load_id=load_id)
        for step in steps:
            advance = progress(f"{name}: {step.label}", len(step.rows)) if progress else None
            step_started = time.monotonic()
            rows_per_batch = max(1, int(batch_size / step.facts_per_row))
            query = FIRST_LOAD_QUERIES.get(step.query, step.query) if report.previous == "first" else step.query
            report.written[step.query] = graph.write_batches(
                load_cypher(query), step.rows, batch_size=rows_per_batch, progress=advance, **params
            )
            report.step_seconds[step.query] = time.monotonic() - step_started
    except BaseException as error:  # noqa: BLE001 - roll back on anything, even Ctrl-C, then re-raise
        try:
            rollback(graph, load_id, snapshot)
        except Exception as undo_error:  # noqa: BLE001 - e.g. the server is gone: say how to recover
            raise LoadError(
                f"{result.file}: load failed ({error}) and so did its rollback ({undo_error}); the graph may hold "
                f"part of this file (load_id {load_id}): rerun the load to complete it"
            ) from error
        if isinstance(error, Exception):
            raise LoadError(f"{result.file}: load failed and was rolled back (nothing written): {error}") from error
        raise
    if report.previous == "changed":
        # the new version is complete: drop rows the new file no longer has
        try:
            run_statements(graph, "load_stale", source=name, version=version)
        except Exception as error:  # noqa: BLE001 - the new version is complete; only clean-up is missing
            raise LoadError(
                f"{result.file}: loaded completely, but deleting rows of the previous version failed ({error}); "
                "rerun the load to finish the clean-up"
            ) from error
    try:
        graph.write(
            load_cypher("load_source_finish"), name=name, file=str(result.file), sha256=result.sha256,
            version=version, reader=result.source, layout=result.layout, rows_read=result.rows_read,
            rows_loaded=result.rows_loaded, rows_rejected=result.rows_rejected,
        )
    except Exception as error:  # noqa: BLE001 - facts are complete; the next load sees a "changed" Source
        raise LoadError(
            f"{result.file}: every row was written but recording the Source failed ({error}); rerun the load"
        ) from error
    report.seconds = time.monotonic() - started
    return report


def run_statements(graph: Graph, name: str, **params: Any) -> None:
    """Run a multi-statement ``.cypher`` file whose statements batch themselves (auto-commit)."""
    graph.run_statements(split_statements(load_cypher(name)), **params)


def rollback(graph: Graph, load_id: str, snapshot: list[dict[str, Any]]) -> None:
    """Undo a failed load: delete what it created, restore properties it overwrote."""
    run_statements(graph, "load_rollback", load_id=load_id)
    nodes = [row for row in snapshot if row["kind"] == "node"]
    relationships = [row for row in snapshot if row["kind"] == "relationship"]
    if nodes:
        graph.write_batches(load_cypher("load_restore_nodes"), nodes)
    if relationships:
        graph.write_batches(load_cypher("load_restore_relationships"), relationships)
