"""countrycode's ``codelist`` → ``countries`` (the identity table: iso3, cow, name, region, is_state).

Layouts accepted:

* ``countrycode:codelist`` — one row per country/territory (``country.name.en, iso3c, cown, …``);
* ``countrycode:codelist_panel`` — the same with a ``year`` column (country-years); each key
  appears once in the output, with its most recent name.

The key is ``iso3c``, or for a COW state without ISO3 the resolver's key for its COW code
(Czechoslovakia → CZE, Yugoslavia → SRB, GDR → DDR; see :mod:`customsnet.etl.countries`).
Historical names of a key that has a modern row are merged into it (noted). Entities with
neither code (Prussia, "Stateless") cannot be keyed: they are skipped and listed in the notes.
``is_state`` is true for entities with a COW code; regions come from the resolver so that every
reader uses one region scheme (UN sub-regions).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customsnet.etl.canonical import CANONICAL_COLUMNS, ReadResult
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.common import RejectLog, SourceFile, blank, make_result

LAYOUTS = {
    "countrycode:codelist_panel": ["country.name.en", "year", "iso3c", "cown"],
    "countrycode:codelist": ["country.name.en", "iso3c", "cown"],
}


def read_country_codes(path: str | Path, resolver: CountryResolver) -> ReadResult:
    """Read a countrycode code table into the canonical ``countries`` frame."""
    source_file = SourceFile.open(path, "country_codes")
    layout = source_file.choose_layout(LAYOUTS)
    table = source_file.read(LAYOUTS[layout])
    rejects = RejectLog(source_file.source, path)
    notes: list[str] = []
    if layout == "countrycode:codelist_panel":
        table = table.iloc[::-1]  # latest year first, so the kept name is the most recent
    iso3_keys, iso3_reasons = resolver.from_iso3_series(table["iso3c"])
    cow_numbers = pd.to_numeric(table["cown"].str.strip(), errors="coerce")
    cow_keys, cow_reasons = resolver.from_cow_series(table["cown"])
    has_iso3 = ~blank(table["iso3c"])
    has_cow = cow_numbers.notna()
    keys = iso3_keys.where(has_iso3, cow_keys)
    reasons = iso3_reasons.where(has_iso3, cow_reasons)
    neither = ~has_iso3 & ~has_cow
    if neither.any():
        names = sorted(set(table.loc[neither, "country.name.en"]))
        notes.append(f"{len(names)} entities without ISO3 or COW code skipped: {', '.join(names)}")
    bad = reasons.notna() & ~neither
    field = pd.Series("cown", index=table.index).where(~has_iso3, "iso3c")
    for row, column, reason in zip(table.loc[bad, "row"], field[bad], reasons[bad]):
        rejects.add(row, column, table.loc[table["row"] == row, column].iat[0], reason)
    keep = ~bad & ~neither
    chosen = table.loc[keep].assign(iso3=keys[keep], cow=cow_numbers[keep], modern=has_iso3[keep])
    # a modern row wins over historical names of the same key (Czechia over Czechoslovakia)
    chosen = chosen.sort_values(["modern"], ascending=False, kind="stable")
    # COW code: the key's most recent one in the file (any of its rows), else the resolver's
    cow_by_key = chosen.groupby("iso3", sort=False)["cow"].first()
    merged = chosen.duplicated("iso3", keep="first")
    if layout == "countrycode:codelist" and merged.any():
        notes.append(
            f"{int(merged.sum())} historical names merged into their key: "
            + ", ".join(f"{n} → {k}" for n, k in zip(chosen.loc[merged, "country.name.en"], chosen.loc[merged, "iso3"]))
        )
    chosen = chosen.loc[~merged]
    cow = [_first_known(cow_by_key.get(k), (resolver.record(k) or {}).get("cow")) for k in chosen["iso3"]]
    countries = pd.DataFrame(
        {
            "iso3": chosen["iso3"],
            "cow": pd.array(cow, dtype="Int64"),
            "name": chosen["country.name.en"],
            "region": [(resolver.record(k) or {}).get("region") for k in chosen["iso3"]],
        }
    )
    countries["is_state"] = countries["cow"].notna().astype(bool)
    countries = countries[CANONICAL_COLUMNS["countries"]].sort_values("iso3", ignore_index=True)
    return make_result(source_file, layout, len(table), {"countries": countries}, rejects, notes)


def _first_known(*values: object) -> int | None:
    for value in values:
        if value is not None and not pd.isna(value):
            return int(value)
    return None
