"""COW state-system membership → ``membership`` spells and ``countries``.

Layouts accepted:

* ``cow:states2016`` — COW's ``states2016.csv`` (also the shared ``cow_states2016.csv``):
  ``stateabb, ccode, statenme, styear, stmonth, stday, endyear, endmonth, endday, version``;
* ``shared:isard_cw_system`` — ``ccode, cw_abb, cw_name, start, end`` (dates YYYY-MM-DD);
* ``shared:isard_cw_gw_panel`` — state-years ``stateabb, year, gwcode, ccode, gw_name, cw_name``
  (to 2025); consecutive years become spells, which extends COW membership past 2016.

Spell years are inclusive: ``since`` is the first and ``until`` the last year as a member
(COW's ``endyear``). A spell still running at the end of the file's data (COW end date
2016-12-31, or the panel's last year) gets ``until = None`` (open-ended). Spells of COW codes
that map to one key (Germany 260 → 255, Yemen 678 → 679) are merged when they touch, so a
country has one spell per uninterrupted membership.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customsnet.etl.canonical import CANONICAL_COLUMNS, ReadResult
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.common import (
    RejectLog,
    SourceFile,
    blank,
    make_result,
    merge_touching_spells,
    parse_date,
    parse_years,
)

LAYOUTS = {
    "cow:states2016": ["ccode", "statenme", "styear", "stmonth", "stday", "endyear", "endmonth", "endday"],
    "shared:isard_cw_system": ["ccode", "cw_name", "start", "end"],
    "shared:isard_cw_gw_panel": ["year", "ccode", "gwcode", "cw_name"],
}


def read_cow_states(path: str | Path, resolver: CountryResolver) -> ReadResult:
    """Read COW state-system membership in any accepted layout (see module docstring)."""
    source_file = SourceFile.open(path, "cow_states")
    layout = source_file.choose_layout(LAYOUTS)
    table = source_file.read(LAYOUTS[layout], optional=["stateabb", "version", "gw_name"])
    rejects = RejectLog(source_file.source, path)
    notes: list[str] = []
    if layout == "shared:isard_cw_gw_panel":
        spells = _panel_spells(table, resolver, rejects, notes)
    else:
        raw = _states2016_spells(table, rejects) if layout == "cow:states2016" else _system_spells(table, rejects)
        spells = _resolve_spells(raw, resolver, rejects)
    membership = merge_touching_spells(spells, ["iso3"])
    if len(membership) < len(spells):
        notes.append(f"{len(spells) - len(membership)} touching spells merged (codes sharing one key, e.g. Germany)")
    countries = _countries(spells, resolver)
    frames = {"membership": membership[CANONICAL_COLUMNS["membership"]], "countries": countries}
    return make_result(source_file, layout, len(table), frames, rejects, notes)


def _states2016_spells(table: pd.DataFrame, rejects: RejectLog) -> pd.DataFrame:
    rows = []
    for record in table.to_dict("records"):
        start, _, start_reason = parse_date(f"{record['styear']}-{record['stmonth']}-{record['stday']}")
        end, _, end_reason = parse_date(f"{record['endyear']}-{record['endmonth']}-{record['endday']}")
        if start_reason:
            rejects.add(
                record["row"], "styear", f"{record['styear']}-{record['stmonth']}-{record['stday']}", start_reason
            )
            continue
        if end_reason:
            rejects.add(
                record["row"], "endyear", f"{record['endyear']}-{record['endmonth']}-{record['endday']}", end_reason
            )
            continue
        rows.append(
            {"ccode": record["ccode"], "name": record["statenme"], "start": start, "end": end, "row": record["row"]}
        )
    return _open_ended(pd.DataFrame(rows, columns=["ccode", "name", "start", "end", "row"]), rejects)


def _system_spells(table: pd.DataFrame, rejects: RejectLog) -> pd.DataFrame:
    rows = []
    for record in table.to_dict("records"):
        start, _, start_reason = parse_date(record["start"])
        end, _, end_reason = parse_date(record["end"])
        if start_reason or start is None:
            rejects.add(record["row"], "start", record["start"], start_reason or "missing start date")
            continue
        if end_reason or end is None:
            rejects.add(record["row"], "end", record["end"], end_reason or "missing end date")
            continue
        rows.append(
            {"ccode": record["ccode"], "name": record["cw_name"], "start": start, "end": end, "row": record["row"]}
        )
    return _open_ended(pd.DataFrame(rows, columns=["ccode", "name", "start", "end", "row"]), rejects)


def _open_ended(spells: pd.DataFrame, rejects: RejectLog) -> pd.DataFrame:
    """Years from dates; end-of-data spells (the file's latest end date) become open-ended."""
    backwards = spells["end"] < spells["start"]
    for record in spells.loc[backwards].to_dict("records"):
        rejects.add(
            record["row"], "end", record["end"], f"spell ends ({record['end']}) before it starts ({record['start']})"
        )
    spells = spells.loc[~backwards].copy()
    data_end = spells["end"].max() if len(spells) else None
    spells["since"] = [d.year for d in spells["start"]]
    spells["until"] = [None if d == data_end else d.year for d in spells["end"]]
    return spells


def _resolve_spells(spells: pd.DataFrame, resolver: CountryResolver, rejects: RejectLog) -> pd.DataFrame:
    keys, reasons = resolver.from_cow_series(spells["ccode"], spells["since"])
    bad = reasons.notna()
    for record, reason in zip(spells.loc[bad].to_dict("records"), reasons[bad]):
        rejects.add(record["row"], "ccode", record["ccode"], reason)
    spells = spells.loc[~bad].assign(iso3=keys[~bad])
    duplicate = spells.duplicated(["ccode", "since"], keep="first")
    for record in spells.loc[duplicate].to_dict("records"):
        rejects.add(
            record["row"],
            "ccode",
            record["ccode"],
            f"duplicate spell: COW {record['ccode']} from {record['since']} listed twice",
        )
    return spells.loc[~duplicate]


def _panel_spells(table: pd.DataFrame, resolver: CountryResolver, rejects: RejectLog, notes: list[str]) -> pd.DataFrame:
    years, year_reason = parse_years(table["year"])
    rejects.add_mask(table, year_reason.notna(), "year", year_reason)
    table = table.loc[year_reason.isna()].assign(year=years[year_reason.isna()])
    no_cow = blank(table["ccode"])
    rejects.add_mask(table, no_cow, "ccode", "no COW code: a Gleditsch-Ward-only state-year, not a COW member")
    table = table.loc[~no_cow]
    keys, reasons = resolver.from_cow_series(table["ccode"], table["year"])
    rejects.add_mask(table, reasons.notna(), "ccode", reasons)
    table = table.loc[reasons.isna()].assign(iso3=keys[reasons.isna()])
    duplicate = table.duplicated(["ccode", "year"], keep="first")
    rejects.add_mask(table, duplicate, "ccode", "duplicate state-year (same COW code and year twice)")
    table = table.loc[~duplicate]
    shared = table.duplicated(["iso3", "year"], keep="first")
    if shared.any():
        notes.append(
            f"{int(shared.sum())} state-years share a key with another COW code in the same year "
            "(e.g. Yemen 678/679 in 1990); counted once"
        )
    table = table.loc[~shared].sort_values(["iso3", "year"])
    last_year = int(table["year"].max()) if len(table) else None
    rows = []
    for iso3, group in table.groupby("iso3", sort=True):
        run_id = (group["year"].diff().fillna(1) != 1).cumsum()
        for _, run in group.groupby(run_id):
            end = int(run["year"].iloc[-1])
            rows.append(
                {
                    "iso3": iso3,
                    "ccode": run["ccode"].iloc[-1],
                    "name": run["cw_name"].iloc[-1],
                    "since": int(run["year"].iloc[0]),
                    "until": None if end == last_year else end,
                    "row": int(run["row"].iloc[0]),
                }
            )
    if last_year is not None:
        notes.append(f"spells reaching {last_year} (the panel's last year) are open-ended")
    return pd.DataFrame(rows, columns=["iso3", "ccode", "name", "since", "until", "row"])


def _countries(spells: pd.DataFrame, resolver: CountryResolver) -> pd.DataFrame:
    """One row per key: the file's name and COW code of its latest spell, region from the resolver."""
    latest = spells.assign(order=spells["since"]).sort_values("order").groupby("iso3").tail(1)
    rows = []
    for record in latest.to_dict("records"):
        known = resolver.record(record["iso3"]) or {}
        rows.append(
            {
                "iso3": record["iso3"],
                "cow": int(record["ccode"]),
                "name": record["name"],
                "region": known.get("region"),
                "is_state": True,
            }
        )
    frame = pd.DataFrame(rows, columns=CANONICAL_COLUMNS["countries"]).sort_values("iso3", ignore_index=True)
    frame["cow"] = frame["cow"].astype("Int64")
    return frame
