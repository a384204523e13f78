"""Bilateral trade → ``trade`` (one row per unordered pair and year, iso1 < iso2, current USD).

Layouts accepted:

* ``publisher:Dyadic_COW_4.0`` — COW Dyadic Trade v4.0 ``ccode1, ccode2, year, importer1,
  importer2, flow1, flow2, …``; flows in millions of current USD, −9 = missing;
* ``shared:cow_trade_ndy`` — ``ccode1, ccode2, year, flow1, flow2, smoothflow1, smoothflow2``
  (NA = missing);
* ``publisher:BACI`` — CEPII BACI ``BACI_HS92_Y<year>_V<release>.csv``: ``t, i, j, k, v, q`` (exporter
  i, importer j as numeric codes, v in thousands of USD), with ``country_codes_V<release>.csv``
  next to it mapping the numeric codes to ISO3. Streamed in chunks and summed over products.
  Code 490 "Other Asia, nes" (ISO3 'S19') is Taiwan by the UN Comtrade convention, and is read so.

``flow1`` is the imports of ``iso1`` from ``iso2`` and ``flow2`` the imports of ``iso2`` from
``iso1``, both in USD; ``value = flow1 + flow2``.

When only one COW flow is reported, ``value`` is that flow (policy ``"reported"``, the default:
a lower bound on total trade; the missing flow stays NaN in ``flow1``/``flow2`` and the
``flows_reported`` column says 1). With policy ``"missing"`` such a dyad-year has no value
(NaN). Dyad-years with neither flow are left out (no information) and counted in the notes.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from customsnet.etl.canonical import CANONICAL_COLUMNS, ReadResult, SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.common import (
    RejectLog,
    SourceFile,
    make_result,
    ordered_pair,
    parse_numbers,
    parse_years,
)
from customsnet.etl.readers.observations import drop_duplicate_keys

COW_USD_PER_UNIT = 1_000_000  # COW flows are in millions of USD
#: no bilateral flow comes near this (world trade is about 2.5e13 USD a year): a larger one is an error
MAX_FLOW_USD = 1e14
BACI_USD_PER_UNIT = 1_000  # BACI values are in thousands of USD
COW_MISSING = ("-9", "-9.0")
ONE_FLOW_POLICIES = ("reported", "missing")
LAYOUTS = {
    "cow": ["ccode1", "ccode2", "year", "flow1", "flow2"],
    "publisher:BACI": ["t", "i", "j", "k", "v"],
}
#: BACI (like UN Comtrade) reports Taiwan as "Other Asia, nes" (code 490, ISO3 'S19')
BACI_CONVENTIONS = {"490": "TWN"}
_BACI_NAME = re.compile(r"BACI_.*_V(?P<release>\d+[a-z]?)\.csv$", re.IGNORECASE)


def read_trade(
    path: str | Path, resolver: CountryResolver, one_flow_missing: str = "reported", chunksize: int = 2_000_000
) -> ReadResult:
    """Read COW dyadic trade or BACI (see module docstring)."""
    if one_flow_missing not in ONE_FLOW_POLICIES:
        raise ValueError(f"one_flow_missing must be one of {ONE_FLOW_POLICIES}, not {one_flow_missing!r}")
    source_file = SourceFile.open(path, "trade")
    layout = source_file.choose_layout(LAYOUTS)
    if layout == "publisher:BACI":
        source_file.source = "baci"
        return _read_baci(source_file, resolver, chunksize)
    source_file.source = "cow_trade"
    return _read_cow(source_file, resolver, one_flow_missing)


# --- COW ---------------------------------------------------------------------------------------
def _read_cow(source_file: SourceFile, resolver: CountryResolver, policy: str) -> ReadResult:
    publisher = source_file.has("importer1") or source_file.path.name.lower().startswith("dyadic_cow")
    layout = "publisher:Dyadic_COW_4.0" if publisher else "shared:cow_trade_ndy"
    table = source_file.read(LAYOUTS["cow"])
    rejects = RejectLog(source_file.source, source_file.path)
    notes: list[str] = []
    years, year_reason = parse_years(table["year"])
    rejects.add_mask(table, year_reason.notna(), "year", year_reason)
    table = table.loc[year_reason.isna()].assign(year=years[year_reason.isna()].astype("int64"))
    flows = {}
    bad_any = pd.Series(False, index=table.index)
    for column in ("flow1", "flow2"):
        values, _, bad = parse_numbers(table[column], COW_MISSING)
        negative = values < 0
        usd = values * COW_USD_PER_UNIT
        huge = ~bad & ~negative & ~(usd <= MAX_FLOW_USD) & values.notna()  # also inf after scaling (1e303)
        rejects.add_mask(table, bad & ~bad_any, column, "not a finite number")
        rejects.add_mask(table, negative & ~bad & ~bad_any, column, "negative trade flow (only −9 marks missing)")
        rejects.add_mask(
            table,
            huge & ~bad_any,
            column,
            f"trade flow over {MAX_FLOW_USD:.0e} USD after scaling to USD (more than world trade)",
        )
        bad_any |= bad | negative | huge
        flows[column] = usd
    table = table.loc[~bad_any].assign(flow1=flows["flow1"][~bad_any], flow2=flows["flow2"][~bad_any])
    table = _resolve_cow_pairs(table, resolver, rejects)
    trade = _finish(table, rejects, policy, notes)
    return make_result(source_file, layout, len(years), {"trade": trade}, rejects, notes)


def _resolve_cow_pairs(table: pd.DataFrame, resolver: CountryResolver, rejects: RejectLog) -> pd.DataFrame:
    iso_a, reason_a = resolver.from_cow_series(table["ccode1"], table["year"])
    iso_b, reason_b = resolver.from_cow_series(table["ccode2"], table["year"])
    rejects.add_mask(table, reason_a.notna(), "ccode1", reason_a)
    rejects.add_mask(table, reason_a.isna() & reason_b.notna(), "ccode2", reason_b)
    ok = reason_a.isna() & reason_b.isna()
    return table.loc[ok].assign(a=iso_a[ok], b=iso_b[ok])


def _finish(table: pd.DataFrame, rejects: RejectLog, policy: str, notes: list[str]) -> pd.DataFrame:
    """Self-pairs out, pair ordered (flows swapped with it), duplicates out, value computed."""
    self_pair = table["a"] == table["b"]
    rejects.add_mask(table, self_pair, "ccode2", "self-pair: both states resolve to the same country")
    table = table.loc[~self_pair]
    low, high = ordered_pair(table["a"], table["b"])
    swapped = table["a"] != low
    flow1 = table["flow1"].where(~swapped, table["flow2"])
    flow2 = table["flow2"].where(~swapped, table["flow1"])
    table = table.assign(iso1=low, iso2=high, flow1=flow1, flow2=flow2)
    table = drop_duplicate_keys(table, ["iso1", "iso2", "year"], "year", rejects, what="dyad-year")
    reported = table["flow1"].notna().astype(int) + table["flow2"].notna().astype(int)
    none = reported == 0
    if none.any():
        notes.append(f"{int(none.sum())} dyad-years with neither flow reported left out (no information)")
    table = table.loc[~none].assign(flows_reported=reported[~none])
    value = table["flow1"].fillna(0.0) + table["flow2"].fillna(0.0)
    one = table["flows_reported"] == 1
    if policy == "missing":
        value = value.where(~one, np.nan)
    notes.append(
        f"{int(one.sum())} dyad-years with one flow reported: value = "
        + ("the reported flow (lower bound)" if policy == "reported" else "missing")
    )
    table = table.assign(value=value)
    columns = [*CANONICAL_COLUMNS["trade"], "flows_reported"]
    out = table[columns].sort_values(["year", "iso1", "iso2"], ignore_index=True)
    out["year"] = out["year"].astype("int64")
    out["row"] = out["row"].astype("int64")
    return out


# --- BACI --------------------------------------------------------------------------------------
def baci_country_codes_path(path: Path) -> Path:
    """``country_codes_V<release>.csv`` beside a ``BACI_…_V<release>.csv`` file."""
    match = _BACI_NAME.search(path.name)
    if match:
        candidate = path.with_name(f"country_codes_V{match.group('release')}.csv")
        if candidate.is_file():
            return candidate
    found = sorted(path.parent.glob("country_codes_V*.csv"))
    if len(found) == 1:
        return found[0]
    raise SourceFormatError(
        f"{path}: BACI needs its country_codes_V<release>.csv in the same folder "
        f"({'none' if not found else 'several'} found)"
    )


def read_baci_country_codes(path: Path, resolver: CountryResolver) -> tuple[dict[str, str], dict[str, str]]:
    """Numeric BACI code → key, and numeric code → reason for codes that do not resolve.

    Accepts the current column names (``country_iso3``) and older releases' (``iso_3digit_alpha``);
    applies :data:`BACI_CONVENTIONS` (490 "Other Asia, nes" → Taiwan).
    """
    codes_file = SourceFile.open(path, "baci")
    iso3_column = "country_iso3" if codes_file.has("country_iso3") else "iso_3digit_alpha"
    codes = codes_file.read(["country_code", iso3_column])
    keys, reasons = resolver.from_iso3_series(codes[iso3_column])
    numeric = codes["country_code"].str.strip().str.lstrip("0").replace("", "0")
    known = {c: k for c, k, r in zip(numeric, keys, reasons) if r is None}
    known.update({c: k for c, k in BACI_CONVENTIONS.items() if c in set(numeric)})
    unknown = {c: f"{r} (BACI code {c})" for c, r in zip(numeric, reasons) if r is not None and c not in known}
    return known, unknown


def _read_baci(source_file: SourceFile, resolver: CountryResolver, chunksize: int) -> ReadResult:
    codes_path = baci_country_codes_path(source_file.path)
    code_to_key, code_reason = read_baci_country_codes(codes_path, resolver)
    rejects = RejectLog(source_file.source, source_file.path)
    totals: list[pd.DataFrame] = []
    rows_read = 0
    for chunk in source_file.read_chunks(["t", "i", "j", "v"], chunksize=chunksize):
        rows_read += len(chunk)
        values, missing, bad = parse_numbers(chunk["v"])
        years, year_reason = parse_years(chunk["t"])
        rejects.add_mask(chunk, year_reason.notna(), "t", year_reason)
        rejects.add_mask(chunk, (bad | missing) & year_reason.isna(), "v", "trade value is not a finite number")
        huge = ~(bad | missing) & year_reason.isna() & ~(values * BACI_USD_PER_UNIT <= MAX_FLOW_USD)
        rejects.add_mask(chunk, huge, "v", f"trade value over {MAX_FLOW_USD:.0e} USD after scaling to USD")
        ok = ~(bad | missing | huge) & year_reason.isna()
        chunk = chunk.loc[ok].assign(t=years[ok].astype("int64"), v=values[ok])
        chunk["i"] = chunk["i"].str.strip().str.lstrip("0").replace("", "0")
        chunk["j"] = chunk["j"].str.strip().str.lstrip("0").replace("", "0")
        totals.append(chunk.groupby(["t", "i", "j"], as_index=False).agg(v=("v", "sum"), row=("row", "min")))
    flows = pd.concat(totals).groupby(["t", "i", "j"], as_index=False).agg(v=("v", "sum"), row=("row", "min"))
    notes = [
        f"{rows_read} product rows summed into {len(flows)} exporter-importer-years; "
        f"country codes from {codes_path.name}"
    ]
    used = sorted(c for c in BACI_CONVENTIONS if c in set(flows["i"]) | set(flows["j"]))
    if used:
        notes.append("BACI code 490 'Other Asia, nes' read as Taiwan (TWN), the UN Comtrade convention")
    flows = _resolve_baci_codes(flows, code_to_key, code_reason, rejects, notes)
    # exporter i → importer j: v counts as imports of j from i
    flows = flows.assign(a=flows["importer"], b=flows["exporter"], year=flows["t"], usd=flows["v"] * BACI_USD_PER_UNIT)
    low, high = ordered_pair(flows["a"], flows["b"])
    flows = flows.assign(iso1=low, iso2=high, imports_of_low=flows["a"] == low)
    self_pair = flows["iso1"] == flows["iso2"]
    rejects.add_mask(flows, self_pair, "i", "self-pair: exporter and importer resolve to one country")
    flows = flows.loc[~self_pair]
    flow1 = flows.loc[flows["imports_of_low"]].groupby(["iso1", "iso2", "year"])["usd"].sum()
    flow2 = flows.loc[~flows["imports_of_low"]].groupby(["iso1", "iso2", "year"])["usd"].sum()
    rows = flows.groupby(["iso1", "iso2", "year"])["row"].min()
    trade = pd.DataFrame({"flow1": flow1, "flow2": flow2, "row": rows}).reset_index()
    trade = trade.assign(flows_reported=trade["flow1"].notna().astype(int) + trade["flow2"].notna().astype(int))
    # BACI reconciles mirror flows and lists only positive ones: an absent direction is zero
    trade["flow1"] = trade["flow1"].fillna(0.0)
    trade["flow2"] = trade["flow2"].fillna(0.0)
    trade["value"] = trade["flow1"] + trade["flow2"]
    trade = trade[[*CANONICAL_COLUMNS["trade"], "flows_reported"]].sort_values(
        ["year", "iso1", "iso2"], ignore_index=True
    )
    trade["year"] = trade["year"].astype("int64")
    trade["row"] = trade["row"].astype("int64")
    notes.append("BACI lists only positive flows: a direction absent from the file is zero, value is the sum")
    return make_result(source_file, f"publisher:BACI:{codes_path.name}", rows_read, {"trade": trade}, rejects, notes)


def _resolve_baci_codes(
    flows: pd.DataFrame, code_to_key: dict[str, str], code_reason: dict[str, str], rejects: RejectLog, notes: list[str]
) -> pd.DataFrame:
    """Map exporter/importer codes; flows with an unknown code are rejected once per aggregated
    exporter-importer-year (row = its first product row), not once per product row."""
    flows = flows.assign(exporter=flows["i"].map(code_to_key), importer=flows["j"].map(code_to_key))
    for column, key in (("i", "exporter"), ("j", "importer")):
        unknown = flows[key].isna()
        reasons = flows[column].map(lambda c: code_reason.get(c, f"BACI code {c} is not in the country codes file"))
        rejects.add_mask(flows, unknown, column, reasons)
        flows = flows.loc[~unknown]
    if len(rejects):
        notes.append("rejects for unknown BACI codes are per exporter-importer-year (row = its first product row)")
    return flows
