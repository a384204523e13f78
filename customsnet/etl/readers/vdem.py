"""V-Dem country-years → ``observations`` polyarchy, civlib, corruption.

Layouts accepted:

* ``publisher:V-Dem-CY-Full`` / ``publisher:V-Dem-CY-Core`` — the V-Dem download (thousands of
  columns; only the seven needed are read, via a ``usecols`` callable);
* ``shared:vdemlite`` — the 7-column vdemlite extract (same column names);
* ``shared:isard_cw_democracy`` — ``ccode, year, euds, aeuds, polity2, v2x_polyarchy``: COW-coded,
  polyarchy only (resolved by COW code and year).

V-Dem rows are keyed by ``country_text_id`` (V-Dem's ISO3-like id), not by name. Units that are
not countries in the identity table (Palestine/Gaza ``PSG``, Somaliland ``SML``, Zanzibar ``ZZB``)
are rejected with the V-Dem name in the reason. Empty index values are missing (no observation),
never zero; values must lie in 0–1.
"""

from __future__ import annotations

from pathlib import Path

from customsnet.etl.canonical import ReadResult
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.common import RejectLog, SourceFile, make_result
from customsnet.etl.readers.observations import drop_duplicate_keys, keep_resolved, melt_values, resolve_years

VDEM_VARIABLES = {"v2x_polyarchy": "polyarchy", "v2x_civlib": "civlib", "v2x_corr": "corruption"}
_VDEM_ID = ["country_name", "country_text_id", "year"]
LAYOUTS = {
    "vdem": [*_VDEM_ID, *VDEM_VARIABLES],
    "shared:isard_cw_democracy": ["ccode", "year", "v2x_polyarchy"],
}
#: more columns than this means the publisher's file rather than a slim extract
_SLIM_MAX_COLUMNS = 50


def read_vdem(path: str | Path, resolver: CountryResolver) -> ReadResult:
    """Read V-Dem polyarchy, civil liberties and corruption in any accepted layout."""
    source_file = SourceFile.open(path, "vdem")
    layout = source_file.choose_layout(LAYOUTS)
    rejects = RejectLog(source_file.source, path)
    notes: list[str] = []
    if layout == "vdem":
        layout = _vdem_layout_name(source_file)
        table = source_file.read(LAYOUTS["vdem"], optional=["country_id"])
        rows_read = len(table)
        table = resolve_years(table, rejects)
        keys, reasons = resolver.from_iso3_series(table["country_text_id"])
        reasons = reasons.where(reasons.isna(), "V-Dem unit " + table["country_name"] + ": " + reasons.astype("string"))
        table = keep_resolved(table, keys, reasons, "country_text_id", rejects)
        variables = VDEM_VARIABLES
    else:
        table = source_file.read(LAYOUTS[layout])
        rows_read = len(table)
        table = resolve_years(table, rejects)
        keys, reasons = resolver.from_cow_series(table["ccode"], table["year"])
        table = keep_resolved(table, keys, reasons, "ccode", rejects)
        variables = {"v2x_polyarchy": "polyarchy"}
        notes.append("COW-coded copy: polyarchy only (no civil liberties or corruption)")
    table = drop_duplicate_keys(table, ["iso3", "year"], "year", rejects)
    observations, missing = melt_values(table, variables, rejects, bounds=(0.0, 1.0))
    notes.append(f"{missing} empty index values left missing (not zero)")
    return make_result(source_file, layout, rows_read, {"observations": observations}, rejects, notes)


def _vdem_layout_name(source_file: SourceFile) -> str:
    """The publisher names its files V-Dem-CY-Full+Others-v14.csv / V-Dem-CY-Core-v14.csv."""
    name = source_file.path.name.lower()
    if "v-dem-cy-core" in name:
        return "publisher:V-Dem-CY-Core"
    if "v-dem-cy" in name or len(source_file.header) > _SLIM_MAX_COLUMNS:
        return "publisher:V-Dem-CY-Full"
    return "shared:vdemlite"
