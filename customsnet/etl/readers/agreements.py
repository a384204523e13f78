"""Bilateral CMAA / MLAT lists → ``agreements`` frame (two parties each).

No public dataset of CMAAs exists, so customsnet defines its own CSV:
``country_a, country_b, year_signed, date_signed, date_in_force, date_terminated, title, source_url``
(countries as ISO3 codes or names, ``EU`` for the European Union). The seed list in
``../shared/data/cmaa`` uses ``date_kind`` and ``evidence`` instead of ``date_terminated`` and
``title``; both are accepted. Whether a file holds CMAAs or MLATs is told by the caller (or by
``cmaa``/``mlat`` in the file name).

The agreement id is ``<type>:<iso1>-<iso2>:<date signed | year signed | undated>`` so it stays
stable when rows are re-ordered; the same id twice in one file is a duplicate and rejected.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customsnet.etl.canonical import CANONICAL_COLUMNS, ReadResult, SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.common import RejectLog, SourceFile, make_result, parse_date, parse_years

AGREEMENT_TYPES = ("CMAA", "MLAT")

_COMMON = ["country_a", "country_b", "year_signed", "date_signed", "date_in_force", "source_url"]
LAYOUTS = {
    "shared:cmaa_seed": [*_COMMON, "date_kind", "evidence"],
    "customsnet:agreements": [*_COMMON, "date_terminated", "title"],
}
_OPTIONAL = ["date_terminated", "title", "date_kind", "evidence"]


def agreement_type_from_name(path: str | Path) -> str | None:
    """'CMAA' or 'MLAT' when the file name says so, else None."""
    name = Path(path).name.lower()
    found = [kind for kind in AGREEMENT_TYPES if kind.lower() in name]
    return found[0] if len(found) == 1 else None


def read_agreements(path: str | Path, resolver: CountryResolver, agreement_type: str | None = None) -> ReadResult:
    """Read a CMAA or MLAT CSV in customsnet's layout or the shared seed layout."""
    kind = (agreement_type or agreement_type_from_name(path) or "").upper()
    if kind not in AGREEMENT_TYPES:
        raise SourceFormatError(
            f"{path}: cannot tell whether this file lists CMAAs or MLATs; pass the type "
            "(or put 'cmaa' / 'mlat' in the file name)"
        )
    source_file = SourceFile.open(path, kind.lower())
    layout = _choose_layout(source_file)
    table = source_file.read(_COMMON, optional=_OPTIONAL)
    rejects = RejectLog(source_file.source, path)
    agreements = _validate(table, kind, resolver, rejects)
    notes = [f"{len(agreements)} {kind} agreements; {int(agreements['signed'].isna().sum())} without a signing date"]
    return make_result(source_file, layout, len(table), {"agreements": agreements}, rejects, notes)


def read_cmaa(path: str | Path, resolver: CountryResolver) -> ReadResult:
    """Read a CMAA list (see :func:`read_agreements`)."""
    return read_agreements(path, resolver, "CMAA")


def read_mlat(path: str | Path, resolver: CountryResolver) -> ReadResult:
    """Read an MLAT list (see :func:`read_agreements`)."""
    return read_agreements(path, resolver, "MLAT")


def _choose_layout(source_file: SourceFile) -> str:
    if source_file.has("date_kind") or source_file.has("evidence"):
        source_file.require(LAYOUTS["shared:cmaa_seed"])
        return "shared:cmaa_seed"
    source_file.require(_COMMON)
    return "customsnet:agreements"


def _validate(table: pd.DataFrame, kind: str, resolver: CountryResolver, rejects: RejectLog) -> pd.DataFrame:
    iso_a, reason_a = resolver.from_code_or_name_series(table["country_a"])
    iso_b, reason_b = resolver.from_code_or_name_series(table["country_b"])
    years, year_reason = parse_years(table["year_signed"])
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for position, record in enumerate(table.to_dict("records")):
        row = record["row"]
        if reason_a.iat[position]:
            rejects.add(row, "country_a", record["country_a"], reason_a.iat[position])
            continue
        if reason_b.iat[position]:
            rejects.add(row, "country_b", record["country_b"], reason_b.iat[position])
            continue
        a, b = iso_a.iat[position], iso_b.iat[position]
        if a == b:
            rejects.add(row, "country_b", record["country_b"], f"self-pair: both parties resolve to {a}")
            continue
        dates, bad = _parse_dates(record, row, rejects)
        if bad:
            continue
        year = years.iat[position]
        if year_reason.iat[position] and year_reason.iat[position] != "missing year":
            rejects.add(row, "year_signed", record["year_signed"], year_reason.iat[position])
            continue
        year = None if pd.isna(year) else int(year)
        signed = dates["date_signed"]
        if signed is not None and year is not None and signed.year != year:
            rejects.add(
                row, "year_signed", record["year_signed"], f"year_signed {year} disagrees with date_signed {signed}"
            )
            continue
        if signed is not None:
            year = signed.year
        if _out_of_order(dates, year):
            rejects.add(row, "date_terminated", record.get("date_terminated", ""), "terminated before it was signed")
            continue
        low, high = sorted((a, b))
        agreement_id = f"{kind.lower()}:{low}-{high}:{signed or year or 'undated'}"
        if agreement_id in seen:
            rejects.add(
                row, "country_b", record["country_b"], f"duplicate of data row {seen[agreement_id]} ({agreement_id})"
            )
            continue
        seen[agreement_id] = row
        rows.append(
            {
                "id": agreement_id,
                "type": kind,
                "title": record.get("title") or f"{kind} {low}–{high}",
                "signed": signed,
                "year_signed": year,
                "in_force": dates["date_in_force"],
                "terminated": dates["date_terminated"],
                "source_url": record["source_url"] or None,
                "parties": [low, high],
                "row": row,
                "date_kind": record.get("date_kind") or None,
                "evidence": record.get("evidence") or None,
            }
        )
    frame = pd.DataFrame(rows, columns=[*CANONICAL_COLUMNS["agreements"], "date_kind", "evidence"])
    frame["year_signed"] = frame["year_signed"].astype("Int64")
    frame["row"] = frame["row"].astype("int64")
    return frame


def _parse_dates(record: dict, row: int, rejects: RejectLog) -> tuple[dict, bool]:
    dates = {}
    for name in ("date_signed", "date_in_force", "date_terminated"):
        value, _, reason = parse_date(record.get(name, ""))
        if reason:
            rejects.add(row, name, record.get(name, ""), reason)
            return dates, True
        dates[name] = value
    return dates, False


def _out_of_order(dates: dict, year: int | None) -> bool:
    ended = dates["date_terminated"]
    if ended is None:
        return False
    signed = dates["date_signed"]
    return (signed is not None and ended < signed) or (year is not None and ended.year < year)
