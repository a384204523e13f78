"""US "Majors List" of drug producing / transit countries → ``observations`` majors_list = 1.

Layout (customsnet's CSV, also the shared partial copy): ``fiscal_year, country,
determination_date, source_url`` (+ optional ``determination_no``); country names as written in
the determination ("Burma", "The Bahamas"); dates YYYY-MM-DD or YYYY-MM.

Fiscal ↔ calendar year: a determination made in September of year t sets the list for US fiscal
year t+1 (1 October t – 30 September t+1). We record the observation in calendar year
``fiscal_year``, the calendar year that overlaps that fiscal year for nine of its twelve months.
A determination dated after its fiscal year ended, or more than a year before it began, is
rejected as an impossible date.

A country not listed in a fiscal year the file covers was not on the list (0); fiscal years the
file does not cover are unknown. Filling the zeros is the panel's business: the covered fiscal
years are listed in the notes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customsnet.etl.canonical import CANONICAL_COLUMNS, ReadResult
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.common import RejectLog, SourceFile, make_result, parse_date
from customsnet.etl.readers.observations import drop_duplicate_keys, keep_resolved, resolve_years

COLUMNS = ["fiscal_year", "country", "determination_date", "source_url"]
VARIABLE = "majors_list"


def read_majors(path: str | Path, resolver: CountryResolver) -> ReadResult:
    """Read a Majors List CSV (see module docstring)."""
    source_file = SourceFile.open(path, "majors_list")
    source_file.require(COLUMNS)
    layout = "customsnet:majors_list"
    table = source_file.read(COLUMNS, optional=["determination_no"])
    rows_read = len(table)
    rejects = RejectLog(source_file.source, path)
    table = resolve_years(table.assign(year=table["fiscal_year"]), rejects, field="fiscal_year")
    table = _check_dates(table, rejects)
    keys, reasons = resolver.from_name_series(table["country"])
    table = keep_resolved(table, keys, reasons, "country", rejects)
    table = drop_duplicate_keys(table, ["iso3", "year"], "country", rejects, what="country-fiscal year")
    observations = pd.DataFrame(
        {
            "iso3": table["iso3"],
            "year": table["year"].astype("int64"),
            "variable": VARIABLE,
            "value": 1.0,
            "row": table["row"].astype("int64"),
        }
    )[CANONICAL_COLUMNS["observations"]].sort_values(["year", "iso3"], ignore_index=True)
    covered = sorted(set(observations["year"]))
    notes = [
        "year = fiscal year (FY t = Oct t-1 to Sep t; a September t-1 determination sets FY t)",
        f"fiscal years covered: {', '.join(map(str, covered))}; unlisted countries in these years are 0, "
        "other years unknown",
    ]
    return make_result(source_file, layout, rows_read, {"observations": observations}, rejects, notes)


def _check_dates(table: pd.DataFrame, rejects: RejectLog) -> pd.DataFrame:
    keep = []
    for record in table.to_dict("records"):
        date, _, reason = parse_date(record["determination_date"], allow_partial=True)
        if reason is None and date is not None and not record["year"] - 1 <= date.year <= record["year"]:
            reason = (
                f"determination date {record['determination_date']} is outside FY {record['year']} and the year before"
            )
        if reason:
            rejects.add(record["row"], "determination_date", record["determination_date"], reason)
        keep.append(reason is None)
    return table.loc[keep]
