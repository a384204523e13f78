"""Canonical layouts: what every reader returns and what the loader writes to the graph.

Readers (``customsnet/etl/readers/*``) turn a publisher's file (or the redistributed copy in
``../shared/data``) into one or more of the frames below, all keyed by ISO3 (``"EU"`` for the
European Union) after country resolution. The loader (``customsnet/etl/load.py``) writes them
with ``UNWIND … MERGE`` and provenance. ``row`` is always the 1-based data row number in the
source file (header excluded), so every fact can be traced back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: frame kind -> required columns (extra columns are allowed and ignored by the loader)
CANONICAL_COLUMNS: dict[str, list[str]] = {
    # one row per country: the identity table (from country codes / COW states / GW panel)
    "countries": ["iso3", "cow", "name", "region", "is_state"],
    # state-system membership spells (int years; until NaN/None = open-ended)
    "membership": ["iso3", "since", "until", "row"],
    # agreements: parties is a list of ISO3 codes (2 for bilateral, more for plurilateral FTAs);
    # type is CMAA | MLAT | FTA; dates are datetime.date or None; year_signed int or None
    "agreements": [
        "id",
        "type",
        "title",
        "signed",
        "year_signed",
        "in_force",
        "terminated",
        "source_url",
        "parties",
        "row",
    ],
    # yearly country attributes in long form: variable is one of VARIABLES (or another documented name)
    "observations": ["iso3", "year", "variable", "value", "row"],
    # yearly dyadic trade, iso1 < iso2; value = total bilateral trade in current USD
    "trade": ["iso1", "iso2", "year", "value", "flow1", "flow2", "row"],
    # contiguity spells, iso1 < iso2; type = COW conttype 1..5; since/until int years
    "contiguity": ["iso1", "iso2", "type", "since", "until", "row"],
}

#: the yearly country variables the study uses
VARIABLES = {
    "polyarchy": "V-Dem electoral democracy index v2x_polyarchy (0-1)",
    "civlib": "V-Dem civil liberties index v2x_civlib (0-1)",
    "corruption": "V-Dem political corruption index v2x_corr (0-1)",
    "ideal_point": "UNGA ideal point (Bailey, Strezhnev & Voeten), all votes",
    "terror_fatalities": "GTD fatalities (sum of nkill) in the country-year; absent means 0",
    "majors_list": "1 if on the US Majors List of drug producing/transit countries for that fiscal year",
}

#: columns of the rejects report
REJECT_COLUMNS = ["source", "file", "row", "field", "value", "reason"]


class SourceFormatError(ValueError):
    """A source file cannot be read at all (missing column, bad encoding, unreadable): nothing is loaded."""


@dataclass
class ReadResult:
    """What a reader returns: canonical frames, rejected rows, and provenance facts."""

    source: str  # short source name, e.g. "vdem", "cow_trade", "cmaa"
    file: str  # path as given
    sha256: str
    layout: str  # which layout was detected, e.g. "publisher:V-Dem-CY-Full" or "shared:vdemlite"
    rows_read: int
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    notes: list[str] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return int(self.rejects["row"].nunique()) if len(self.rejects) else 0

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - self.rows_rejected

    @property
    def rejected_share(self) -> float:
        return self.rows_rejected / self.rows_read if self.rows_read else 0.0
