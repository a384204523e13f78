"""COW Direct Contiguity v3.2 → ``contiguity`` spells (one row per unordered pair, iso1 < iso2).

Layouts accepted:

* ``publisher:contdird`` — dyad-years ``dyad, state1no, state1ab, state2no, state2ab, year, conttype``
  (both orders); consecutive years of a pair and type become one spell;
* ``publisher:contdir`` — spells ``dyad, statelno, statelab, statehno, statehab, conttype, begin, end``
  with begin/end as YYYYMM;
* ``shared:cow_contdir`` — spells ``ccode1, ccode2, conttype, stdate, enddate`` (YYYY-MM-DD, both
  orders).

``since``/``until`` are the first and last year of the spell; a spell that runs to the end of the
file's data (2016 in v3.2) is open-ended (``until`` None): borders barely change, and the panel
may carry them forward — the loader records that choice. A pair listed in both orders is one
spell (the mirror is dropped, and counted in the notes); the same order twice is a duplicate.
Spells of codes that map to one key (Germany 260 then 255) are merged when they touch.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customsnet.etl.canonical import CANONICAL_COLUMNS, ReadResult
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.common import (
    RejectLog,
    SourceFile,
    make_result,
    merge_touching_spells,
    ordered_pair,
    parse_date,
    parse_numbers,
    parse_years,
)

LAYOUTS = {
    "publisher:contdird": ["state1no", "state2no", "year", "conttype"],
    "publisher:contdir": ["statelno", "statehno", "conttype", "begin", "end"],
    "shared:cow_contdir": ["ccode1", "ccode2", "conttype", "stdate", "enddate"],
}
CONTIGUITY_TYPES = {1, 2, 3, 4, 5}


def read_contiguity(path: str | Path, resolver: CountryResolver) -> ReadResult:
    """Read COW direct contiguity in any accepted layout (see module docstring)."""
    source_file = SourceFile.open(path, "cow_contiguity")
    layout = source_file.choose_layout(LAYOUTS)
    table = source_file.read(
        LAYOUTS[layout], optional=["dyad", "state1ab", "state2ab", "statelab", "statehab", "version"]
    )
    rejects = RejectLog(source_file.source, path)
    notes: list[str] = []
    if layout == "publisher:contdird":
        spells = _year_rows(table, rejects)
        code_a, code_b = "state1no", "state2no"
    else:
        start, end = ("begin", "end") if layout == "publisher:contdir" else ("stdate", "enddate")
        spells = _dated_spells(table, start, end, layout == "publisher:contdir", rejects)
        code_a, code_b = ("statelno", "statehno") if layout == "publisher:contdir" else ("ccode1", "ccode2")
    spells = _types(spells, rejects, notes)
    spells = _resolve_pairs(spells, code_a, code_b, resolver, rejects, notes)
    if layout == "publisher:contdird":
        spells = _years_to_spells(spells)
    contiguity = merge_touching_spells(spells, ["iso1", "iso2", "type"])
    contiguity["type"] = contiguity["type"].astype("int64")
    notes.append(f"{int(contiguity['until'].isna().sum())} spells run to the end of the data and are open-ended")
    frames = {"contiguity": contiguity[CANONICAL_COLUMNS["contiguity"]]}
    return make_result(source_file, layout, len(table), frames, rejects, notes)


def _dated_spells(table: pd.DataFrame, start: str, end: str, yyyymm: bool, rejects: RejectLog) -> pd.DataFrame:
    rows = []
    for record in table.to_dict("records"):
        parsed = {}
        for field_name in (start, end):
            text = str(record[field_name]).strip()
            if yyyymm:  # COW writes 192001 for January 1920
                text = f"{text[:4]}-{text[4:]}-01" if len(text) == 6 and text.isdigit() else text
            value, _, reason = parse_date(text)
            if reason or value is None:
                rejects.add(record["row"], field_name, record[field_name], reason or "missing date")
                break
            parsed[field_name] = value
        else:
            if parsed[end] < parsed[start]:
                rejects.add(record["row"], end, record[end], f"spell ends before it starts ({record[start]})")
                continue
            rows.append({**record, "since": parsed[start].year, "end_date": parsed[end]})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return pd.DataFrame(columns=[*table.columns, "since", "until", "end_date"])
    # the release's coverage ends on the date its ongoing spells share: the latest end date at least
    # a quarter of the spells have. A later end date is an error, and must not turn every ongoing
    # spell into one that ended
    counts = frame["end_date"].value_counts()
    data_end = max(counts.index[counts >= 0.25 * len(frame)])
    beyond = frame["end_date"] > data_end
    for record in frame.loc[beyond].to_dict("records"):
        rejects.add(
            record["row"],
            end,
            record[end],
            f"end date after the end of the data's coverage ({data_end}, when its ongoing spells end)",
        )
    frame = frame.loc[~beyond].copy()
    frame["until"] = [None if d == data_end else d.year for d in frame["end_date"]]
    return frame


def _year_rows(table: pd.DataFrame, rejects: RejectLog) -> pd.DataFrame:
    years, reason = parse_years(table["year"])
    rejects.add_mask(table, reason.notna(), "year", reason)
    table = table.loc[reason.isna()]
    years = years[reason.isna()].astype("int64")
    last = coverage_last_year(years)
    beyond = years > last
    rejects.add_mask(table, beyond, "year", f"year after the end of the data's coverage ({last})")
    table, years = table.loc[~beyond], years[~beyond]
    return table.assign(since=years, until=years, year=years)


def coverage_last_year(years: pd.Series) -> int | None:
    """The last year the data covers: the latest with at least half the median rows per year.

    A stray row in a later year (a typo) would otherwise make every pair of the last real year look
    like it stopped being contiguous.
    """
    if years.empty:
        return None
    per_year = years.value_counts().sort_index()
    full = per_year[per_year >= 0.5 * per_year.median()]
    return int(full.index.max())


def _types(spells: pd.DataFrame, rejects: RejectLog, notes: list[str]) -> pd.DataFrame:
    values, _, _ = parse_numbers(spells["conttype"])
    # type 0 marks a period in which a pair is NOT contiguous; absence already means that
    not_contiguous = values.eq(0)
    if not_contiguous.any():
        notes.append(f"{int(not_contiguous.sum())} rows of type 0 (not contiguous in that period) skipped")
    bad = ~values.isin(list(CONTIGUITY_TYPES)) & ~not_contiguous
    rejects.add_mask(spells, bad, "conttype", "contiguity type must be 0 (none) or 1 (land) to 5 (400 miles of water)")
    keep = ~bad & ~not_contiguous
    return spells.loc[keep].assign(type=values[keep].astype("int64"))


def _resolve_pairs(
    spells: pd.DataFrame, code_a: str, code_b: str, resolver: CountryResolver, rejects: RejectLog, notes: list[str]
) -> pd.DataFrame:
    iso_a, reason_a = resolver.from_cow_series(spells[code_a], spells["since"])
    rejects.add_mask(spells, reason_a.notna(), code_a, reason_a)
    iso_b, reason_b = resolver.from_cow_series(spells[code_b], spells["since"])
    rejects.add_mask(spells, reason_a.isna() & reason_b.notna(), code_b, reason_b)
    ok = reason_a.isna() & reason_b.isna()
    spells = spells.loc[ok].assign(a=iso_a[ok], b=iso_b[ok])
    self_pair = spells["a"] == spells["b"]
    rejects.add_mask(spells, self_pair, code_b, "self-pair: both states resolve to the same country")
    spells = spells.loc[~self_pair]
    low, high = ordered_pair(spells["a"], spells["b"])
    spells = spells.assign(iso1=low, iso2=high, mirrored=spells["a"] != low)
    key = ["iso1", "iso2", "type", "since"]
    repeat = spells.duplicated([*key, "mirrored"], keep="first")
    rejects.add_mask(spells, repeat, code_b, "duplicate: the same pair, type and start listed twice")
    spells = spells.loc[~repeat]
    mirror = spells.duplicated(key, keep="first")
    if mirror.any():
        notes.append(f"{int(mirror.sum())} rows are the same pair in the other order; kept once")
    return spells.loc[~mirror]


def _years_to_spells(rows: pd.DataFrame) -> pd.DataFrame:
    """Dyad-years → spells of consecutive years; the file's last year is open-ended."""
    last_year = int(rows["year"].max()) if len(rows) else None
    out = []
    for (iso1, iso2, kind), group in rows.sort_values("year").groupby(["iso1", "iso2", "type"], sort=True):
        run_id = (group["year"].diff().fillna(1) != 1).cumsum()
        for _, run in group.groupby(run_id):
            end = int(run["year"].iloc[-1])
            out.append(
                {
                    "iso1": iso1,
                    "iso2": iso2,
                    "type": kind,
                    "since": int(run["year"].iloc[0]),
                    "until": None if end == last_year else end,
                    "row": int(run["row"].iloc[0]),
                }
            )
    return pd.DataFrame(out, columns=["iso1", "iso2", "type", "since", "until", "row"])
