"""UNGA ideal points (Bailey, Strezhnev & Voeten) → ``observations`` ideal_point.

Layouts accepted:

* ``publisher:dataverse`` — the Dataverse CSV, whose column names vary by release
  (``ccode, session, IdealPointAll`` or ``Idealpoint``, ``Countryname``, ``iso3c`` …);
  UNGA session s is year 1945 + s;
* ``shared:bsv_idealpoints`` — ``ccode, iso3c, countryname, year, idealpointfp, idealpointall, …``.

The variable is the ideal point estimated from all votes (``idealpointall``; releases that only
have one estimate call it ``IdealPoint``). Rows are resolved by COW code and year (the file's own
``iso3c`` has quirks such as ``YAR`` for South Yemen); a row without a COW code falls back to
``iso3c``, then to the name.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customsnet.etl.canonical import ReadResult, SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.common import RejectLog, SourceFile, blank, make_result
from customsnet.etl.readers.observations import drop_duplicate_keys, keep_resolved, melt_values, resolve_years

#: accepted names of the all-votes ideal point, most specific first
VALUE_COLUMNS = ("idealpointall", "idealpoint_all", "idealpoint")
NAME_COLUMNS = ("countryname", "country_name", "country")
SESSION_YEAR_OFFSET = 1945


#: published ideal points lie within about ±4; far outside is a corrupt value, not a position
IDEAL_POINT_BOUNDS = (-10.0, 10.0)


def read_unga(path: str | Path, resolver: CountryResolver) -> ReadResult:
    """Read UNGA ideal points in the Dataverse or the shared layout."""
    source_file = SourceFile.open(path, "unga")
    value_column = next((c for c in VALUE_COLUMNS if source_file.has(c)), None)
    if value_column is None:
        raise SourceFormatError(
            f"{path}: missing the ideal point column (one of {list(VALUE_COLUMNS)}); "
            f"columns found: {source_file.header}"
        )
    if source_file.has("year"):
        layout, time_column = "shared:bsv_idealpoints", "year"
    elif source_file.has("session"):
        layout, time_column = "publisher:dataverse", "session"
    else:
        raise SourceFormatError(f"{path}: missing column 'year' or 'session'; columns found: {source_file.header}")
    source_file.require(["ccode"])
    name_column = next((c for c in NAME_COLUMNS if source_file.has(c)), None)
    optional = [c for c in ("iso3c", name_column) if c]
    table = source_file.read(["ccode", time_column, value_column], optional=optional)
    rows_read = len(table)
    rejects = RejectLog(source_file.source, path)
    if time_column == "session":
        table = _session_to_year(table, rejects)
    table = resolve_years(table, rejects)
    keys, reasons = _resolve(table, resolver, name_column)
    table = keep_resolved(table, keys, reasons, "ccode", rejects)
    # rows without a value give no observation; dropping them first keeps an empty row
    # (e.g. BSV's legacy-only 260/1990 beside 255/1990) from shadowing the real one
    empty = blank(table[value_column])
    table = drop_duplicate_keys(table.loc[~empty], ["iso3", "year"], "year", rejects)
    observations, _ = melt_values(table, {value_column: "ideal_point"}, rejects, bounds=IDEAL_POINT_BOUNDS)
    notes = [
        f"ideal point from column {value_column!r}",
        f"{int(empty.sum())} rows without an ideal point left missing",
    ]
    return make_result(source_file, layout, rows_read, {"observations": observations}, rejects, notes)


def _session_to_year(table: pd.DataFrame, rejects: RejectLog) -> pd.DataFrame:
    sessions = pd.to_numeric(table["session"].str.strip(), errors="coerce")
    bad = sessions.isna() | (sessions < 1) | (sessions != sessions.round())
    rejects.add_mask(table, bad, "session", "UNGA session must be a whole number ≥ 1")
    table = table.loc[~bad]
    return table.assign(year=(sessions[~bad].astype("int64") + SESSION_YEAR_OFFSET).astype(str))


def _resolve(table: pd.DataFrame, resolver: CountryResolver, name_column: str | None) -> tuple[pd.Series, pd.Series]:
    keys, reasons = resolver.from_cow_series(table["ccode"], table["year"])
    no_code = blank(table["ccode"])
    if no_code.any() and "iso3c" in table.columns:
        alt_keys, alt_reasons = resolver.from_iso3_series(table.loc[no_code, "iso3c"])
        keys, reasons = keys.copy(), reasons.copy()
        keys[no_code], reasons[no_code] = alt_keys, alt_reasons
    still = reasons.notna() & no_code
    if still.any() and name_column:
        alt_keys, alt_reasons = resolver.from_name_series(table.loc[still, name_column])
        keys[still], reasons[still] = alt_keys, alt_reasons
    return keys, reasons
