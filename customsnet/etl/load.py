"""Canonical frames → Neo4j: batched ``UNWIND … MERGE`` with provenance, all or nothing.

:func:`load_result` writes one reader's :class:`~customsnet.etl.canonical.ReadResult` with the
``customsnet/cypher/load_*.cypher`` files, in the shapes of ``docs/graph-model.md``.

How a load stays all-or-nothing and touches only what it owns (details and reasons in
``docs/graph-model.md``, "Loading"):

* Everything that can be wrong with the data is checked before the first write: a file-level
  error raises :class:`~customsnet.etl.canonical.SourceFormatError` in the reader, too many
  rejected rows raise :class:`RejectThresholdError`, a file that would gut its source (no rows,
  cut off, far fewer rows than the loaded version) :class:`ShrinkError`. Nothing is written then.
* One load writes at a time: it holds the graph's load lock (:mod:`customsnet.etl.lock`).
* A fact belongs to one source (its ``source`` property, the file's Source name) and carries the
  file's ``version`` (SHA-256 prefix). Countries, the system node and the built-in Source are
  shared; an Agreement is shared by every file that names it, each file holding a *claim* on it.
* The Source is marked ``pending`` while its load runs. After the facts are written the loader
  checks the source's facts in the graph are exactly the file's, and deletes the source's facts
  of any other version (rows a new file no longer has, or leftovers of a killed load).
* A failed write is rolled back: the facts this load created for its source are deleted, the
  properties it overwrote restored, agreements re-derived from the claims left, and shared nodes
  it created deleted only if nothing refers to them. A load killed before it could roll back
  leaves ``pending``: the next load of that source finds it and cleans up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import neo4j
import pandas as pd

from customsnet.cypher import load_cypher, split_statements
from customsnet.etl.canonical import CANONICAL_COLUMNS, REJECT_COLUMNS, ReadResult
from customsnet.etl.countries import EU, CountryResolver, cached_resolver
from customsnet.etl.lock import LoadLock, load_lock
from customsnet.graph.connection import Graph
from customsnet.progress import Progress

DEFAULT_BATCH_SIZE = 10_000
DEFAULT_MAX_REJECT_SHARE = 0.05
DEFAULT_REJECTS_DIR = Path("rejects")
#: agreement type → Cypher file writing its pairwise ties
TIE_QUERIES = {"CMAA": "load_ties_cmaa", "MLAT": "load_ties_mlat", "FTA": "load_ties_fta"}

#: queries with a CREATE twin for a source's first load (its keys cannot exist yet; measured ~20% faster)
FIRST_LOAD_QUERIES = {"load_trade": "load_trade_new"}

#: a new version may have at most this share fewer rows than the loaded one (else --allow-shrink)
MAX_SHRINK_SHARE = 0.10
#: write query → kind of fact a source owns (load_count_facts.cypher): checked after, dropped when stale
OWNED_FACTS = {
    "load_membership": "MEMBER_OF_SYSTEM",
    "load_agreements": "FROM_SOURCE",
    "load_observations": "Observation",
    "load_trade": "TRADE",
    "load_contiguity": "CONTIGUOUS",
}
#: agreement types whose ids customsnet makes up (pair + date): matched to the graph's across files
RECONCILED_TYPES = {"CMAA", "MLAT"}
#: test hook: block after this many batches (see _BatchCounter)
TEST_BLOCK_ENV = "CUSTOMSNET_TEST_BLOCK_AFTER_BATCH"


class LoadError(RuntimeError):
    """A load failed; the message says which file and why, and whether it was rolled back.

    ``partial`` is True when part of the file may remain in the graph (the rollback failed too).
    """

    def __init__(self, message: str, *, partial: bool = False) -> None:
        super().__init__(message)
        self.partial = partial


class LoadInterrupted(LoadError):
    """The load was interrupted (Ctrl-C); it was rolled back unless ``partial``."""


class ShrinkError(LoadError):
    """The file would delete much of its source's data (empty, cut off, far smaller); nothing was written."""


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
    #: "first" (no Source of this name before), "same" (same sha256 reloaded, graph already exact),
    #: "changed" (another file of the source replaced) or "recovered" (leftovers of an unfinished
    #: load, or facts not matching the file, were cleaned up)
    previous: str = "first"
    #: facts of this source that the file does not have, deleted after writing
    stale_deleted: int = 0
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
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"


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
    """Rows for ``load_agreements`` (one per agreement); ``pair`` is ``LOW-HIGH`` for bilateral ones."""
    columns = ["id", "type", "title", "signed", "year_signed", "in_force", "terminated", "source_url", "row"]
    rows = records(frame, columns)
    for row, parties in zip(rows, frame["parties"]):
        row["parties"] = sorted(set(parties))
        row["pair"] = "-".join(row["parties"]) if len(row["parties"]) == 2 else None
    return rows


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
    for agreement in records(
        frame, ["id", "type", "signed", "year_signed", "in_force", "terminated", "parties", "row"]
    ):
        since = agreement["year_signed"] if agreement["year_signed"] is not None else _year(agreement["signed"])
        for iso1, iso2 in combinations(sorted(set(agreement["parties"])), 2):
            ties.setdefault(agreement["type"], []).append(
                {
                    "key": f"{agreement['id']}|{iso1}|{iso2}",
                    "iso1": iso1,
                    "iso2": iso2,
                    "agreement": agreement["id"],
                    "since": _year(since),
                    "in_force": _year(agreement["in_force"]),
                    "until": _year(agreement["terminated"]),
                    "row": agreement["row"],
                }
            )
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
    unknown = [
        {"iso3": key, "cow": None, "name": None, "region": None, "is_state": None}
        for key in keys
        if key not in found and key != EU
    ]
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
    steps.append(
        WriteStep(
            "load_referenced_countries", reference_rows(referenced_countries(frames), resolver), "referenced countries"
        )
    )
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


# ------------------------------------------------------------------ safety checks (pure)
def last_line_is_complete(path: str | Path) -> bool | None:
    """Whether the file ends with a line end (None when ``path`` is not a file, e.g. a hand-made result).

    A file cut off mid-record (a copy interrupted, a disk full) ends inside its last line; a cut
    inside the last number (0.904 → 0.9) still parses, so the missing line end is the only sign.
    """
    path = Path(path)
    if not path.is_file():
        return None
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        if handle.tell() == 0:
            return False
        handle.seek(-1, 2)
        return handle.read(1) == b"\n"


def check_not_catastrophic(result: ReadResult, previous_rows: int | None, *, allow_shrink: bool) -> None:
    """Refuse (:class:`ShrinkError`) a file that would wipe or gut the source it replaces.

    Refused unless ``allow_shrink``: no data row left to load (empty after the header), a last line
    without a line end (the file may be cut off inside its last record), or fewer rows than
    ``1 - MAX_SHRINK_SHARE`` of the version already loaded (``previous_rows``).
    """
    if allow_shrink:
        return
    hint = "check the file; pass --allow-shrink to load it anyway"
    if result.rows_loaded == 0:
        raise ShrinkError(
            f"{result.file}: no data rows to load ({result.rows_read} read, {result.rows_rejected} rejected); {hint}"
        )
    if last_line_is_complete(result.file) is False:
        raise ShrinkError(
            f"{result.file}: the last line has no line end, so the file may be cut off inside its "
            f"last record (data row {result.rows_read}); {hint}"
        )
    if previous_rows and result.rows_loaded < (1 - MAX_SHRINK_SHARE) * previous_rows:
        raise ShrinkError(
            f"{result.file}: {result.rows_loaded} rows where the version in the graph has {previous_rows}; loading it "
            f"would delete the facts of {previous_rows - result.rows_loaded} rows (more than {MAX_SHRINK_SHARE:.0%}); "
            f"{hint}"
        )


def match_agreements(frame: pd.DataFrame, existing: list[dict[str, Any]]) -> tuple[pd.DataFrame, list[str]]:
    """Give each bilateral agreement of a file the id of the node that already stands for it.

    ``existing`` holds the graph's agreements of the same type for the file's party pairs
    (``id, pair, year, claimed_by_source``). A row is the same real agreement as an existing node
    of its pair when the ids are equal, or else when their signing years agree or either is
    unknown and exactly one such node is left (nodes this source already claims first). So the
    seed and the public CMAA list, which date some agreements differently, give one node each.
    Returns the frame with ids replaced, and notes on what was matched or left ambiguous.
    """
    if frame.empty or not existing:
        return frame, []
    by_pair: dict[str, list[dict[str, Any]]] = {}
    for node in existing:
        by_pair.setdefault(node["pair"], []).append(node)
    ids = frame["id"].tolist()
    taken: set[str] = set(ids) & {node["id"] for node in existing}
    matched = ambiguous = 0
    for position, (agreement_id, parties, year) in enumerate(zip(frame["id"], frame["parties"], frame["year_signed"])):
        pair = "-".join(sorted(parties))
        candidates = [node for node in by_pair.get(pair, []) if node["id"] not in taken]
        if agreement_id in {node["id"] for node in by_pair.get(pair, [])} or not candidates:
            continue
        year = None if pd.isna(year) else int(year)
        compatible = [node for node in candidates if year is None or node["year"] is None or node["year"] == year]
        own = [node for node in compatible if node["claimed_by_source"]]
        chosen = own if len(own) == 1 else compatible
        if len(chosen) == 1:
            ids[position] = chosen[0]["id"]
            taken.add(chosen[0]["id"])
            matched += 1
        elif len(chosen) > 1:
            ambiguous += 1
    notes = []
    known = sum(agreement_id in {node["id"] for node in existing} for agreement_id in ids)
    if known:
        notes.append(
            f"{known} agreement(s) already in the graph ({matched} of them dated differently there): "
            "this file's claims join those nodes"
        )
    if ambiguous:
        notes.append(
            f"{ambiguous} agreement(s) could be one of several agreements of the same pair in the graph; "
            "kept as agreements of their own"
        )
    return frame.assign(id=ids), notes


def expected_facts(steps: list[WriteStep]) -> dict[str, int]:
    """How many facts of each kind (load_count_facts.cypher) a complete load of these steps leaves."""
    expected: dict[str, int] = {}
    for step in steps:
        kind = OWNED_FACTS.get(step.query)
        if kind is None:
            continue
        if step.query == "load_trade":
            keys = {(dyad[0], dyad[1], year[0]) for dyad in step.rows for year in dyad[2]}
        elif step.query == "load_agreements":
            keys = {row["id"] for row in step.rows}
        else:
            keys = {row["key"] for row in step.rows}
        expected[kind] = expected.get(kind, 0) + len(keys)
    return expected


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
    allow_shrink: bool = False,
) -> LoadReport:
    """Write one reader's result into the graph, with provenance; all or nothing.

    Rejected rows go to ``rejects_dir``; if their share exceeds ``max_reject_share`` nothing is
    written (:class:`RejectThresholdError`), nor when the file looks cut off or far smaller than
    the version it replaces (:class:`ShrinkError`, unless ``allow_shrink``). The load holds the
    graph's load lock (:mod:`customsnet.etl.lock`); a failed write is rolled back before
    re-raising as :class:`LoadError`, Ctrl-C as :class:`LoadInterrupted`. ``resolver`` supplies
    names and COW codes for countries that facts refer to and the graph lacks.
    """
    started = time.monotonic()
    name = source_name(result)
    rejects_file = write_rejects(result, name, rejects_dir)
    check_reject_share(result, max_reject_share, rejects_file)
    if result.rows_loaded == 0:
        check_not_catastrophic(result, None, allow_shrink=allow_shrink)
    version = result.sha256[:16]
    load_id = new_load_id()
    report = LoadReport(
        name=name,
        reader=result.source,
        file=str(result.file),
        layout=result.layout,
        sha256=result.sha256,
        rows_read=result.rows_read,
        rows_loaded=result.rows_loaded,
        rows_rejected=result.rows_rejected,
        rejects_file=rejects_file,
        notes=list(result.notes),
    )
    try:
        _load_locked(graph, result, report, name, load_id, version, resolver, batch_size, progress, allow_shrink)
    except KeyboardInterrupt:  # before the first write (a Ctrl-C while writing is rolled back in _write)
        raise LoadInterrupted(
            f"{result.file}: interrupted (Ctrl-C) before writing; nothing of it was written"
        ) from None
    report.seconds = time.monotonic() - started
    return report


def _load_locked(
    graph: Graph,
    result: ReadResult,
    report: LoadReport,
    name: str,
    load_id: str,
    version: str,
    resolver: CountryResolver | None,
    batch_size: int,
    progress: Progress | None,
    allow_shrink: bool,
) -> None:
    """Under the load lock: compare with what the graph holds of the source, plan, and write."""
    with load_lock(graph, load_id, name) as lock:
        if lock.took_over:
            report.notes.append(f"took over the lock of a {lock.took_over.describe()} that is gone")
        prior = graph.read(load_cypher("load_source_state"), name=name)
        prior_state = prior[0] if prior else None
        check_not_catastrophic(result, prior_state and prior_state["rows_loaded"], allow_shrink=allow_shrink)
        result = _match_existing_agreements(graph, result, name, report)
        steps = plan_writes(result, name, resolver or cached_resolver())
        if prior_state is None:
            report.previous = "first"
        elif prior_state["pending"]:
            report.previous = "recovered"  # a load of this source started and never finished
            report.notes.append(
                f"the load {prior_state['pending']} of this source never finished; "
                "its leftovers are replaced or deleted"
            )
        elif prior_state["sha256"] == result.sha256:
            report.previous = "same"
        else:
            report.previous = "changed"
        _write(graph, result, report, steps, lock, load_id, version, batch_size, progress, prior_state)


def _match_existing_agreements(graph: Graph, result: ReadResult, name: str, report: LoadReport) -> ReadResult:
    """The result with its bilateral agreements matched to the graph's (see :func:`match_agreements`)."""
    frame = result.frames.get("agreements")
    if frame is None or frame.empty:
        return result
    parts, notes = [], []
    for kind, group in frame.groupby("type", sort=True):
        bilateral = group["parties"].map(lambda parties: len(set(parties)) == 2)
        if kind not in RECONCILED_TYPES or not bilateral.any():
            parts.append(group)
            continue
        pairs = sorted({"-".join(sorted(p)) for p in group.loc[bilateral, "parties"]})
        existing = graph.read(load_cypher("load_agreements_existing"), type=kind, pairs=pairs, source=name)
        matched, kind_notes = match_agreements(group.loc[bilateral], existing)
        parts += [matched, group.loc[~bilateral]]
        notes += kind_notes
    report.notes += notes
    frames = {**result.frames, "agreements": pd.concat(parts).sort_index()}
    return dataclasses.replace(result, frames=frames)


def _write(
    graph: Graph,
    result: ReadResult,
    report: LoadReport,
    steps: list[WriteStep],
    lock: LoadLock,
    load_id: str,
    version: str,
    batch_size: int,
    progress: Progress | None,
    prior_state: dict[str, Any] | None,
) -> None:
    """Write the planned steps, check them, drop stale facts, record the Source; roll back on failure."""
    name = report.name
    params = {"source": name, "version": version, "load_id": load_id}
    agreement_ids = sorted({row["id"] for step in steps if step.query == "load_agreements" for row in step.rows})
    snapshot: list[dict[str, Any]] = []
    batches = _BatchCounter(lock)
    try:
        # copy what this load may overwrite; a reload of the same file overwrites values with equals
        touched_countries = sorted(
            {row["iso3"] for step in steps if step.query.endswith("countries") for row in step.rows}
        )
        snapshot = graph.read(load_cypher("load_snapshot_countries"), iso3s=touched_countries)
        if prior_state is not None:
            snapshot.append({"kind": "node", "id": prior_state["id"], "props": prior_state["props"]})
        if report.previous == "changed":
            # a reload of the same file writes equal values; after an unfinished load the source
            # stays pending on failure, so the next load cleans up: only a changed file needs the copy
            snapshot += graph.read(load_cypher("load_snapshot_facts"), source=name)
        graph.write(load_cypher("load_source_begin"), name=name, load_id=load_id)
        graph.write(load_cypher("load_system"))
        for step in steps:
            advance = progress(f"{name}: {step.label}", len(step.rows)) if progress else None
            step_started = time.monotonic()
            rows_per_batch = max(1, int(batch_size / step.facts_per_row))
            query = FIRST_LOAD_QUERIES.get(step.query, step.query) if report.previous == "first" else step.query
            report.written[step.query] = graph.write_batches(
                load_cypher(query), step.rows, batch_size=rows_per_batch, progress=batches.wrap(advance), **params
            )
            report.step_seconds[step.query] = time.monotonic() - step_started
        _check_and_drop_stale(graph, report, steps, version, agreement_ids)
        lock.heartbeat(force=True)
        graph.write(
            load_cypher("load_source_finish"),
            name=name,
            file=str(result.file),
            sha256=result.sha256,
            version=version,
            reader=result.source,
            layout=result.layout,
            rows_read=result.rows_read,
            rows_loaded=result.rows_loaded,
            rows_rejected=result.rows_rejected,
        )
    except BaseException as error:
        interrupted = isinstance(error, KeyboardInterrupt)
        what = "interrupted (Ctrl-C)" if interrupted else f"load failed ({_describe(error)})"
        failure = LoadInterrupted if interrupted else LoadError
        try:
            rollback(graph, load_id, snapshot, source=name, agreement_ids=agreement_ids)
        except BaseException as undo_error:  # noqa: BLE001 - e.g. the server is gone: say how to recover
            raise failure(
                f"{result.file}: {what}, and so did its rollback ({_describe(undo_error)}); the graph may hold part "
                f"of this file (load_id {load_id}): the next load of {name} cleans it up",
                partial=True,
            ) from error
        raise failure(f"{result.file}: {what}; rolled back, nothing of this file was written", partial=False) from error


def _describe(error: BaseException) -> str:
    """An error in a few words: a Ctrl-C or a lost server says so instead of a driver protocol message."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted by Ctrl-C"
    if isinstance(error, neo4j.exceptions.ServiceUnavailable | neo4j.exceptions.SessionExpired):
        return f"the Neo4j server stopped answering: {error}"
    if isinstance(error, neo4j.exceptions.Neo4jError) and error.message:
        return f"{error.code}: {error.message}"
    return str(error) or type(error).__name__


def _check_and_drop_stale(
    graph: Graph, report: LoadReport, steps: list[WriteStep], version: str, agreement_ids: list[str]
) -> None:
    """Check the graph holds exactly the file's facts for this source; delete the source's others.

    A fact that did not land (its country was missing) fails the load. Facts with another version
    (the previous file's rows it no longer has, or a killed load's) are deleted, and agreements
    whose claims changed are re-derived from the claims left.
    """
    name = report.name
    found = graph.read(load_cypher("load_count_facts"), source=name, version=version)
    current = {row["kind"]: row["n"] for row in found if row["current"]}
    stale = sum(row["n"] for row in found if not row["current"])
    expected = expected_facts(steps)
    short = {kind: (current.get(kind, 0), n) for kind, n in expected.items() if current.get(kind, 0) != n}
    extra = {kind: n for kind, n in current.items() if kind not in expected}
    if short or extra:
        detail = "; ".join(
            [f"{kind}: {got} of {want}" for kind, (got, want) in short.items()]
            + [f"{kind}: {n} not in this file" for kind, n in extra.items()]
        )
        raise LoadError(f"{report.file}: the graph does not hold exactly this file's facts after writing ({detail})")
    touched = set(agreement_ids)
    if stale:
        touched |= {row["id"] for row in graph.read(load_cypher("load_stale_agreements"), source=name, version=version)}
        run_statements(graph, "load_stale", source=name, version=version)
        report.stale_deleted = stale
        if report.previous == "same":
            report.previous = "recovered"
        report.notes.append(f"{stale} facts of this source that the file does not have were deleted")
    if touched:
        reconcile_agreements(graph, sorted(touched), name)


def reconcile_agreements(graph: Graph, ids: list[str], source: str, *, all_ties: bool = False) -> None:
    """Re-derive agreements from their claims; remove those no file names any more.

    Ties and PARTY_TO are rewritten only where ``source``'s load may have left values that are
    not the agreement's (another file names it too, or its best claim is another's), or for all
    ``ids`` when ``all_ties`` (after a rollback). So a file no other file shares (DESTA) pays nothing.
    """
    graph.write_batches(load_cypher("load_agreements_reconcile"), ids, batch_size=200)
    graph.write_batches(load_cypher("load_agreements_reconcile_ties"), ids, batch_size=200, source=source, all=all_ties)
    graph.write_batches(load_cypher("load_agreements_unclaimed"), ids, batch_size=200)


class _BatchCounter:
    """Counts a load's batches across steps: renews the lock, and serves the kill-midway test hook.

    With ``CUSTOMSNET_TEST_BLOCK_AFTER_BATCH=N`` in the environment, the load prints
    ``blocked after batch N`` and blocks after its N-th batch, so a test can kill it at a known point.
    """

    def __init__(self, lock: LoadLock) -> None:
        self.lock = lock
        self.count = 0
        hook = os.environ.get(TEST_BLOCK_ENV, "")
        self.block_after = int(hook) if hook.strip().isdigit() else None

    def wrap(self, advance: Callable[[int], None] | None) -> Callable[[int], None]:
        def after_batch(n: int) -> None:
            self.count += 1
            if advance:
                advance(n)
            self.lock.heartbeat()
            if self.block_after is not None and self.count == self.block_after:
                print(f"blocked after batch {self.count}", flush=True)
                while True:  # until the test kills this process
                    time.sleep(60)

        return after_batch


def run_statements(graph: Graph, name: str, **params: Any) -> None:
    """Run a multi-statement ``.cypher`` file whose statements batch themselves (auto-commit)."""
    graph.run_statements(split_statements(load_cypher(name)), **params)


def rollback(
    graph: Graph, load_id: str, snapshot: list[dict[str, Any]], *, source: str, agreement_ids: list[str] = ()
) -> None:
    """Undo a failed load: delete the facts it created for ``source``, restore what it overwrote,
    re-derive the agreements it claimed, and drop shared nodes it created that nothing uses.

    Touches only what the load owns: another source's facts, and countries they refer to, stay.
    """
    run_statements(graph, "load_rollback", load_id=load_id, source=source)
    nodes = [row for row in snapshot if row["kind"] == "node"]
    relationships = [row for row in snapshot if row["kind"] == "relationship"]
    if nodes:
        graph.write_batches(load_cypher("load_restore_nodes"), nodes)
    if relationships:
        graph.write_batches(load_cypher("load_restore_relationships"), relationships)
    if agreement_ids:
        reconcile_agreements(graph, list(agreement_ids), source, all_ties=True)
    graph.write(load_cypher("load_rollback_shared"), load_id=load_id)


def unload_source(graph: Graph, name: str) -> dict[str, int]:
    """Delete everything one source owns, under the load lock; shared nodes stay.

    Its facts and agreement claims go (batched, auto-commit); agreements it alone named go with
    their ties, the others are re-derived from the claims left; then its Source node. Countries,
    the system and the built-in Source are never deleted. Returns facts deleted by kind.
    """
    with load_lock(graph, new_load_id(), name):
        found = graph.read(load_cypher("load_count_facts"), source=name, version="")
        deleted: dict[str, int] = {}
        for row in found:
            deleted[row["kind"]] = deleted.get(row["kind"], 0) + row["n"]
        claimed = [row["id"] for row in graph.read(load_cypher("load_stale_agreements"), source=name, version="")]
        run_statements(graph, "load_stale", source=name, version="")  # no fact has the empty version
        if claimed:
            reconcile_agreements(graph, claimed, name)
        graph.write(load_cypher("load_unload_source"), name=name)
    return deleted
