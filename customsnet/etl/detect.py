"""Which reader a file needs (from its name and header), and dispatch by source name.

``customsnet load all DIR`` calls :func:`detect_source` on every file and :func:`read_source` on
those it recognises. Auxiliary files that only another reader uses (BACI's
``country_codes_V*.csv``, OWID's GTD name map, manytrade's agreement-level table) are not sources
of their own: they detect as None, as do files of no known layout.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from customsnet.etl.canonical import ReadResult
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.agreements import agreement_type_from_name, read_cmaa, read_mlat
from customsnet.etl.readers.contiguity import read_contiguity
from customsnet.etl.readers.country_codes import read_country_codes
from customsnet.etl.readers.cow_states import read_cow_states
from customsnet.etl.readers.desta import read_desta
from customsnet.etl.readers.gtd import read_gtd
from customsnet.etl.readers.majors import read_majors
from customsnet.etl.readers.trade import read_trade
from customsnet.etl.readers.unga import read_unga
from customsnet.etl.readers.vdem import read_vdem

Reader = Callable[[str | Path, CountryResolver], ReadResult]

#: source name → reader
READERS: dict[str, Reader] = {
    "country_codes": read_country_codes,
    "cow_states": read_cow_states,
    "cmaa": read_cmaa,
    "mlat": read_mlat,
    "contiguity": read_contiguity,
    "vdem": read_vdem,
    "unga": read_unga,
    "trade": read_trade,
    "gtd": read_gtd,
    "desta": read_desta,
    "majors": read_majors,
}

#: (source, columns that must all be present), checked in order; first match wins
_HEADER_RULES: list[tuple[str | None, set[str]]] = [
    ("country_codes", {"country.name.en", "iso3c", "cown"}),
    ("cow_states", {"ccode", "styear", "endyear"}),
    ("cow_states", {"ccode", "cw_name", "start", "end"}),
    ("cow_states", {"ccode", "gwcode", "year"}),
    ("contiguity", {"state1no", "state2no", "conttype"}),
    ("contiguity", {"statelno", "statehno", "conttype"}),
    ("contiguity", {"ccode1", "ccode2", "conttype"}),
    ("vdem", {"country_text_id", "year", "v2x_polyarchy"}),
    ("vdem", {"ccode", "year", "v2x_polyarchy"}),
    ("trade", {"ccode1", "ccode2", "flow1", "flow2"}),
    ("trade", {"t", "i", "j", "k", "v"}),
    (None, {"country_code", "country_iso3"}),  # BACI's code table, read by the BACI reader
    ("gtd", {"eventid", "iyear", "country_txt", "nkill"}),
    ("gtd", {"entity", "year", "terrorism_fatalities"}),
    (None, {"country", "our world in data name"}),  # OWID's GTD name map, read by the GTD reader
    ("desta", {"base_treaty", "iso1", "iso2"}),
    ("desta", {"treatyid", "stateid", "force"}),
    (None, {"treatyid", "agreementtype"}),  # manytrade agreement table: use the memberships file
    ("majors", {"fiscal_year", "country", "determination_date"}),
]
_UNGA_VALUES = {"idealpointall", "idealpoint_all", "idealpoint"}


def read_header(path: str | Path) -> list[str]:
    """Lower-case column names of a CSV's first line ([] if it has none)."""
    with open(path, "rb") as handle:
        first = handle.readline(1 << 20)  # bounded: a file of one endless line has no header
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = first.decode("latin-1")
    if not text.strip():
        return []
    return [name.strip().lower() for name in next(csv.reader([text]))]


def detect_source(path: str | Path) -> str | None:
    """The source name whose reader handles this file, or None if none (or an auxiliary file)."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() != ".csv":
        return None
    header = set(read_header(path))
    if {"country_a", "country_b"} <= header:
        kind = agreement_type_from_name(path)
        return kind.lower() if kind else None
    if "ccode" in header and header & _UNGA_VALUES and ({"session", "year"} & header):
        return "unga"
    for source, columns in _HEADER_RULES:
        if columns <= header:
            return source
    return None


def read_source(source_name: str, path: str | Path, resolver: CountryResolver) -> ReadResult:
    """Run the reader registered under ``source_name`` on ``path``."""
    try:
        reader = READERS[source_name]
    except KeyError:
        raise ValueError(f"unknown source {source_name!r}; known sources: {', '.join(sorted(READERS))}") from None
    return reader(path, resolver)
