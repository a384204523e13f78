"""Global Terrorism Database → ``observations`` terror_fatalities (sum of ``nkill`` per country-year).

Layouts accepted:

* ``publisher:GTD`` — the event file ``globalterrorismdb_*.csv`` (``eventid, iyear, …,
  country_txt, …, nkill, …``); events are summed by ``country_txt`` and ``iyear``. An event with an
  empty ``nkill`` counts 0 (GTD leaves it empty when unknown) and is counted in the notes. GTD
  CSVs are often Latin-1: if the file is not UTF-8 it is read as Latin-1, with a note.
* ``shared:owid_gtd`` — Our World in Data's country-year totals ``entity, year,
  terrorist_incidents, terrorism_fatalities, terrorism_injuries``. Region aggregates and "World"
  are skipped explicitly (listed in the notes, not rejected). ``owid_gtd_country_name_map.csv``
  next to it, if present, gives GTD's own spelling as a second chance to resolve an entity.

Country-years absent from the file had no recorded incident: filling them with 0 is the
panel's business (GTD has no 1993 data at all, so 1993 must stay missing, not zero).
Several names resolving to one country in one year (West Germany and Germany in 1990) are summed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customsnet.etl.canonical import CANONICAL_COLUMNS, ReadResult
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.common import RejectLog, SourceFile, make_result, parse_numbers
from customsnet.etl.readers.observations import drop_duplicate_keys, keep_resolved, resolve_years

#: GTD's region names and OWID's aggregates: not countries
GTD_AGGREGATES = frozenset(
    {
        "World",
        "International",
        "North America",
        "Central America & Caribbean",
        "South America",
        "East Asia",
        "Southeast Asia",
        "South Asia",
        "Central Asia",
        "Western Europe",
        "Eastern Europe",
        "Middle East & North Africa",
        "Sub-Saharan Africa",
        "Australasia & Oceania",
    }
)
LAYOUTS = {
    "publisher:GTD": ["eventid", "iyear", "country_txt", "nkill"],
    "shared:owid_gtd": ["entity", "year", "terrorism_fatalities"],
}
NAME_MAP_FILE = "owid_gtd_country_name_map.csv"
VARIABLE = "terror_fatalities"


#: no country-year comes near this many fatalities (the worst in the GTD is about 10,000)
MAX_FATALITIES = 1e6


def read_gtd(path: str | Path, resolver: CountryResolver) -> ReadResult:
    """Read GTD events or OWID's GTD country-year totals (see module docstring)."""
    source_file = SourceFile.open(path, "gtd", latin1_fallback=True)
    layout = source_file.choose_layout(LAYOUTS)
    rejects = RejectLog(source_file.source, path)
    notes = [
        "country-years absent from the file had no recorded incident (0) — except 1993, which GTD lacks: "
        "filling is the panel's business"
    ]
    if layout == "publisher:GTD":
        table = source_file.read(LAYOUTS[layout])
        rows_read = len(table)
        totals = _sum_events(table, resolver, rejects, notes)
    else:
        table = source_file.read(LAYOUTS[layout], optional=["terrorist_incidents", "terrorism_injuries"])
        rows_read = len(table)
        totals = _owid_totals(table, source_file.path, resolver, rejects, notes)
    observations = totals.assign(variable=VARIABLE)[CANONICAL_COLUMNS["observations"]]
    observations = observations.sort_values(["iso3", "year"], ignore_index=True)
    return make_result(source_file, layout, rows_read, {"observations": observations}, rejects, notes)


def _sum_events(table: pd.DataFrame, resolver: CountryResolver, rejects: RejectLog, notes: list[str]) -> pd.DataFrame:
    table = resolve_years(table.assign(year=table["iyear"]), rejects, field="iyear")
    kills, missing, bad = parse_numbers(table["nkill"])
    bad |= (kills < 0) | (kills > MAX_FATALITIES)
    rejects.add_mask(table, bad, "nkill", f"nkill is not a number from 0 to {MAX_FATALITIES:.0e}")
    table = table.loc[~bad].assign(nkill=kills[~bad].fillna(0.0))
    notes.append(f"{int(missing[~bad].sum())} events with empty nkill counted as 0 fatalities")
    keys, reasons = resolver.from_name_series(table["country_txt"])
    table = keep_resolved(table, keys, reasons, "country_txt", rejects)
    return _sum_by_country_year(table.rename(columns={"nkill": "value"}), notes)


def _owid_totals(
    table: pd.DataFrame, path: Path, resolver: CountryResolver, rejects: RejectLog, notes: list[str]
) -> pd.DataFrame:
    aggregate = table["entity"].str.strip().isin(GTD_AGGREGATES)
    if aggregate.any():
        skipped = sorted(set(table.loc[aggregate, "entity"]))
        notes.append(f"{int(aggregate.sum())} aggregate rows skipped ({', '.join(skipped)})")
    table = table.loc[~aggregate]
    table = drop_duplicate_keys(table, ["entity", "year"], "entity", rejects, what="entity-year")
    table = resolve_years(table, rejects)
    values, missing, bad = parse_numbers(table["terrorism_fatalities"])
    bad |= (values < 0) | (values > MAX_FATALITIES)
    rejects.add_mask(
        table, bad | missing, "terrorism_fatalities", f"fatalities must be a number from 0 to {MAX_FATALITIES:.0e}"
    )
    table = table.loc[~(bad | missing)].assign(value=values[~(bad | missing)])
    keys, reasons = _resolve_entities(table["entity"], path, resolver)
    table = keep_resolved(table, keys, reasons, "entity", rejects)
    return _sum_by_country_year(table, notes)


def _resolve_entities(entities: pd.Series, path: Path, resolver: CountryResolver) -> tuple[pd.Series, pd.Series]:
    keys, reasons = resolver.from_name_series(entities)
    map_path = path.with_name(NAME_MAP_FILE)
    if reasons.notna().any() and map_path.is_file():
        name_map = SourceFile.open(map_path, "gtd").read(["country", "our world in data name"])
        gtd_name = dict(zip(name_map["our world in data name"], name_map["country"]))
        retry = reasons.notna() & entities.isin(list(gtd_name))
        if retry.any():
            alt_keys, alt_reasons = resolver.from_name_series(entities[retry].map(gtd_name))
            keys, reasons = keys.copy(), reasons.copy()
            keys[retry], reasons[retry] = alt_keys, alt_reasons
    return keys, reasons


def _sum_by_country_year(table: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    grouped = table.groupby(["iso3", "year"], as_index=False).agg(
        value=("value", "sum"), row=("row", "min"), names=("row", "size")
    )
    if "entity" in table.columns:
        merged = table.groupby(["iso3", "year"])["entity"].nunique()
        if (merged > 1).any():
            notes.append(
                f"{int((merged > 1).sum())} country-years summed over several names (e.g. West Germany + Germany)"
            )
    grouped["year"] = grouped["year"].astype("int64")
    grouped["value"] = grouped["value"].astype("float64")
    grouped["row"] = grouped["row"].astype("int64")
    return grouped.drop(columns="names")
