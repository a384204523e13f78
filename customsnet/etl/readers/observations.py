"""Shared step of the country-year readers: resolved, validated wide table → long ``observations``."""

from __future__ import annotations

import pandas as pd

from customsnet.etl.canonical import CANONICAL_COLUMNS
from customsnet.etl.readers.common import RejectLog, parse_numbers, parse_years


def resolve_years(table: pd.DataFrame, rejects: RejectLog, field: str = "year") -> pd.DataFrame:
    """Keep rows with a plausible year (as int ``year``); reject the others."""
    years, reason = parse_years(table[field])
    rejects.add_mask(table, reason.notna(), field, reason)
    return table.loc[reason.isna()].assign(year=years[reason.isna()].astype("int64"))


def keep_resolved(
    table: pd.DataFrame, keys: pd.Series, reasons: pd.Series, field: str, rejects: RejectLog
) -> pd.DataFrame:
    """Keep rows whose country resolved (as ``iso3``); reject the rest naming ``field``."""
    rejects.add_mask(table, reasons.notna(), field, reasons)
    return table.loc[reasons.isna()].assign(iso3=keys[reasons.isna()])


def drop_duplicate_keys(
    table: pd.DataFrame, keys: list[str], field: str, rejects: RejectLog, what: str = "country-year"
) -> pd.DataFrame:
    """Reject every repeat of a key (the first occurrence is kept)."""
    repeat = table.duplicated(keys, keep="first")
    if repeat.any():
        first_row = table.drop_duplicates(keys).set_index(keys)["row"]
        for record in table.loc[repeat].to_dict("records"):
            key = tuple(record[k] for k in keys)
            rejects.add(
                record["row"],
                field,
                record[field],
                f"duplicate {what} {'/'.join(map(str, key))} (first at data row {first_row.loc[key]})",
            )
    return table.loc[~repeat]


def melt_values(
    table: pd.DataFrame,
    columns: dict[str, str],
    rejects: RejectLog,
    bounds: tuple[float, float] | None = None,
    missing: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, int]:
    """Wide value columns → long observations ``iso3, year, variable, value, row``.

    ``columns`` maps file column → variable name. Empty cells are missing (no observation);
    text that is not a number, or a number outside ``bounds``, rejects the whole row.
    Returns (observations, number of missing cells).
    """
    parsed = {}
    bad_row = pd.Series(False, index=table.index)
    missing_cells = 0
    for column in columns:
        values, is_missing, is_bad = parse_numbers(table[column], missing)
        reason = pd.Series("not a finite number", index=table.index, dtype="object").where(is_bad)
        if bounds is not None:
            outside = ~is_missing & ~is_bad & ((values < bounds[0]) | (values > bounds[1]))
            reason = reason.mask(outside, f"value outside {bounds[0]}–{bounds[1]}")
        fresh = reason.notna() & ~bad_row  # one reject per field, but the row goes once
        rejects.add_mask(table, reason.notna(), column, reason)
        bad_row |= fresh
        missing_cells += int((is_missing & ~bad_row).sum())
        parsed[column] = values
    parts = []
    for column, variable in columns.items():
        keep = ~bad_row & parsed[column].notna()
        parts.append(
            pd.DataFrame(
                {
                    "iso3": table.loc[keep, "iso3"],
                    "year": table.loc[keep, "year"].astype("int64"),
                    "variable": variable,
                    "value": parsed[column][keep].astype("float64"),
                    "row": table.loc[keep, "row"].astype("int64"),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=CANONICAL_COLUMNS["observations"])
    frame = frame.sort_values(["variable", "iso3", "year"], ignore_index=True)
    return frame[CANONICAL_COLUMNS["observations"]], missing_cells
