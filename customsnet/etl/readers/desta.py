"""DESTA preferential trade agreements → ``agreements`` of type FTA.

Layouts accepted:

* ``publisher:desta_dyads`` — DESTA's ``desta_list_of_treaties_*_dyads.csv`` (``base_treaty, name,
  entry_type, typememb, country1, country2, iso1, iso2, year, entryforceyear, …``): one agreement
  with two parties per row (``iso1``/``iso2`` are ISO numeric codes there; ISO3 codes and names are
  accepted too). Rows whose ``entry_type`` is a withdrawal are rejected: DESTA has no exit dates
  elsewhere, and the study treats an agreement as in force once in force.
* ``shared:manytrade_memberships`` — manytrade's ``manytrade_desta_memberships.csv``
  (``manyID, treatyID, Title, Begin, stateID, Signature, Force, StateName, destaID``): rows are grouped
  by ``treatyID`` into one plurilateral agreement with its list of parties. ``Force`` is a year, a
  date, or empty (not in force). The companion ``manytrade_desta_agreements.csv`` adds nothing the
  memberships lack (its dates are the same years padded to 1 January), so it is not read: passing
  it raises an error that points to the memberships file.

Dates: a year-only signature gives ``year_signed`` with ``signed = None``; a year-only entry into
force is stored as 1 January of that year (``in_force_precision`` says "year"). For plurilateral
agreements ``in_force`` is the earliest party's entry into force; ``party_in_force`` maps each
party to its own entry-into-force year (later accessions), for dyad-level "FTA in force" flags.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from customsnet.etl.canonical import CANONICAL_COLUMNS, ReadResult, SourceFormatError
from customsnet.etl.countries import CountryResolver, Resolution
from customsnet.etl.readers.common import RejectLog, SourceFile, make_result, parse_date

LAYOUTS = {
    "publisher:desta_dyads": ["base_treaty", "name", "country1", "country2", "iso1", "iso2", "year", "entryforceyear"],
    "shared:manytrade_memberships": ["treatyid", "title", "stateid", "signature", "force", "statename"],
    "shared:manytrade_agreements": ["treatyid", "title", "agreementtype", "signature", "force"],
}
EXTRA_COLUMNS = ["in_force_precision", "party_in_force"]


def read_desta(path: str | Path, resolver: CountryResolver) -> ReadResult:
    """Read DESTA FTAs from the dyadic list or manytrade's memberships (see module docstring)."""
    source_file = SourceFile.open(path, "desta")
    layout = source_file.choose_layout(LAYOUTS)
    if layout == "shared:manytrade_agreements":
        raise SourceFormatError(
            f"{path}: this is manytrade's agreement-level table; read its memberships file "
            "(manytrade_desta_memberships.csv), which carries titles, parties and dates"
        )
    rejects = RejectLog(source_file.source, path)
    if layout == "publisher:desta_dyads":
        table = source_file.read(LAYOUTS[layout], optional=["entry_type", "typememb"])
        agreements, notes = _dyads(table, resolver, rejects)
    else:
        table = source_file.read(LAYOUTS[layout], optional=["manyid", "destaid", "begin"])
        agreements, notes = _memberships(table, resolver, rejects)
    return make_result(source_file, layout, len(table), {"agreements": agreements}, rejects, notes)


def _resolve_party(code: object, name: object, resolver: CountryResolver) -> Resolution:
    """ISO numeric, ISO3 or name: whichever the cell holds; the name is the fallback."""
    text = "" if code is None else str(code).strip()
    if text.isdigit():
        found = resolver.from_iso_numeric(text)
    elif text:
        found = resolver.from_iso3(text)
    else:
        found = Resolution(None, "empty country code")
    if found.iso3 is None and name is not None and str(name).strip():
        by_name = resolver.from_name(name)
        if by_name.iso3 is not None:
            return by_name
    return found


def _year_or_date(text: object) -> tuple[int | None, dt.date | None, str | None, str | None]:
    """(year, date, precision, reason) from a DESTA cell holding a year, a date, or nothing."""
    date, precision, reason = parse_date(text, allow_partial=True)
    if date is None:
        return None, None, None, reason
    return date.year, date, precision, None


def _dyads(table: pd.DataFrame, resolver: CountryResolver, rejects: RejectLog) -> tuple[pd.DataFrame, list[str]]:
    rows, seen = [], {}
    for record in table.to_dict("records"):
        row = record["row"]
        if "withdraw" in str(record.get("entry_type", "")).lower():
            rejects.add(
                row, "entry_type", record["entry_type"], "withdrawal rows are not modelled (no exit dates in DESTA)"
            )
            continue
        party_a = _resolve_party(record["iso1"], record["country1"], resolver)
        party_b = _resolve_party(record["iso2"], record["country2"], resolver)
        if party_a.iso3 is None or party_b.iso3 is None:
            field_name, party = ("iso1", party_a) if party_a.iso3 is None else ("iso2", party_b)
            rejects.add(row, field_name, record[field_name], party.reason)
            continue
        if party_a.iso3 == party_b.iso3:
            rejects.add(row, "iso2", record["iso2"], f"self-pair: both parties resolve to {party_a.iso3}")
            continue
        signed_year, signed, signed_precision, reason = _year_or_date(record["year"])
        if reason or signed_year is None:
            rejects.add(row, "year", record["year"], reason or "missing signature year")
            continue
        force_year, force, force_precision, reason = _year_or_date(record["entryforceyear"])
        if reason:
            rejects.add(row, "entryforceyear", record["entryforceyear"], reason)
            continue
        low, high = sorted((party_a.iso3, party_b.iso3))
        agreement_id = f"fta:desta:{record['base_treaty']}:{low}-{high}"
        if agreement_id in seen:
            rejects.add(row, "iso2", record["iso2"], f"duplicate of data row {seen[agreement_id]} ({agreement_id})")
            continue
        seen[agreement_id] = row
        rows.append(
            {
                "id": agreement_id,
                "type": "FTA",
                "title": record["name"] or None,
                "signed": signed if signed_precision == "day" else None,
                "year_signed": signed_year,
                "in_force": force,
                "terminated": None,
                "source_url": None,
                "parties": [low, high],
                "row": row,
                "in_force_precision": force_precision,
                "party_in_force": {low: force_year, high: force_year},
            }
        )
    return _frame(rows), [f"{len(rows)} bilateral FTA dyads"]


def _memberships(table: pd.DataFrame, resolver: CountryResolver, rejects: RejectLog) -> tuple[pd.DataFrame, list[str]]:
    members: list[dict] = []
    seen: dict[tuple, int] = {}
    for record in table.to_dict("records"):
        row = record["row"]
        party = _resolve_party(record["stateid"], record["statename"], resolver)
        if party.iso3 is None:
            rejects.add(row, "stateid", record["stateid"] or record["statename"], party.reason)
            continue
        signed_year, signed, signed_precision, reason = _year_or_date(record["signature"])
        if reason:
            rejects.add(row, "signature", record["signature"], reason)
            continue
        force_year, force, force_precision, reason = _year_or_date(record["force"])
        if reason:
            rejects.add(row, "force", record["force"], reason)
            continue
        key = (record["treatyid"], party.iso3, record["signature"], record["force"])
        if key in seen:
            rejects.add(
                row, "stateid", record["stateid"], f"duplicate of data row {seen[key]} (same treaty, party and dates)"
            )
            continue
        seen[key] = row
        members.append(
            {
                "treaty": record["treatyid"],
                "title": record["title"],
                "iso3": party.iso3,
                "row": row,
                "signed_year": signed_year,
                "signed": signed if signed_precision == "day" else None,
                "force_year": force_year,
                "force": force,
                "force_precision": force_precision,
            }
        )
    rows = []
    too_few = 0
    for treaty, group in pd.DataFrame(members).groupby("treaty", sort=False) if members else []:
        parties = sorted(set(group["iso3"]))
        if len(parties) < 2:
            too_few += 1
            for record in group.to_dict("records"):
                rejects.add(record["row"], "treatyid", treaty, "agreement has fewer than two resolvable parties")
            continue
        rows.append(_plurilateral(treaty, group, parties))
    notes = [
        f"{len(rows)} FTAs from {len(members)} memberships; in_force = earliest party's entry into force",
        "repeated party rows of one treaty (accessions, ratifications) merged: earliest force year per party",
    ]
    if too_few:
        notes.append(f"{too_few} treaties with fewer than two resolvable parties rejected")
    return _frame(rows), notes


def _plurilateral(treaty: str, group: pd.DataFrame, parties: list[str]) -> dict:
    forces = group.dropna(subset=["force_year"]).sort_values("force_year")
    party_force = {iso3: None for iso3 in parties}
    for iso3, year in zip(forces["iso3"], forces["force_year"]):
        if party_force[iso3] is None:
            party_force[iso3] = int(year)
    signed_years = group["signed_year"].dropna()
    day_signed = group["signed"].dropna()
    first_force = forces.iloc[0] if len(forces) else None
    return {
        "id": f"fta:desta:{treaty}",
        "type": "FTA",
        "title": group["title"].iloc[0] or None,
        "signed": min(day_signed) if len(day_signed) else None,
        "year_signed": int(signed_years.min()) if len(signed_years) else None,
        "in_force": None if first_force is None else first_force["force"],
        "terminated": None,
        "source_url": None,
        "parties": parties,
        "row": int(group["row"].min()),
        "in_force_precision": None if first_force is None else first_force["force_precision"],
        "party_in_force": party_force,
    }


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[*CANONICAL_COLUMNS["agreements"], *EXTRA_COLUMNS])
    frame["year_signed"] = frame["year_signed"].astype("Int64")
    frame["row"] = frame["row"].astype("int64")
    return frame.sort_values("row", ignore_index=True)
