"""Country identity resolution: names, ISO3 codes and COW codes → one key (ISO3; ``"EU"``).

Every reader keys its rows by the value returned here, so that "Burma", ``MMR``, COW 775 and
V-Dem's ``MMR`` all become the same ``Country`` node.

Sources, merged into one :class:`CountryResolver`:

* embedded (always available): ``country_converter``'s table (ISO3, short and official names,
  name regexes, UN region) and ``data/cow_iso3.csv`` — our own COW ccode → ISO3 map, written
  from the public COW state list, with year ranges where a code's meaning depends on the year;
* optional: the countrycode ``codelist`` CSV (``../shared/data/country_codes``), which adds its
  English names and ``country.name.en.regex`` patterns.

Key decisions (the key is ISO3, chosen so that a country stays ONE node through time):

* Germany: COW 255 (to 1945 and from 1990) and 260 (German Federal Republic 1955–1990) → ``DEU``;
  the GDR (265) keeps its withdrawn ISO code ``DDR`` (a separate state until 1990).
* Yemen: 678 (Yemen Arab Republic, to 1990) and 679 (Yemen, from 1990) → ``YEM``; South Yemen
  (680, 1967–1990) keeps its withdrawn ISO code ``YMD`` — it was a separate state in 1985–1990,
  and mapping it to ``YEM`` too would merge two nodes of the same year (V-Dem does the same).
* Yugoslavia / Serbia and Montenegro / Serbia (COW 345 throughout) → ``SRB`` in every year, as
  COW and V-Dem treat them as one continuing state; the withdrawn codes YUG and SCG are aliases.
* USSR / Russia (365) → ``RUS``; Czechoslovakia (315, to 1992) → ``CZE`` (continuing state, as in
  V-Dem); Czech Republic (316) from 1993 → ``CZE``; Kosovo (347) → ``XKX`` (not ISO, but the
  code V-Dem, the EU and most publishers use).
* Vietnam: 816 → ``VNM``; Republic of Vietnam (817, 1954–1975) has no ISO3.
* COW states with no ISO3 at all (German and Italian states before unification,
  Austria-Hungary, Korea before 1905, Zanzibar …) get the key ``COW<ccode>`` (e.g. ``COW300``)
  so that membership spells are kept, never guessed onto a modern country.
* A COW code used outside its year range (e.g. 260 in 1995) is rejected, not remapped.

Names match by exact normalised name (lower case, accents and punctuation removed, "&" → "and",
leading "the" dropped), then by the alias table below, then by the regexes; a name matched by
regexes of more than one country, or by none, is rejected with a reason.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from customsnet.etl.canonical import CANONICAL_COLUMNS, SourceFormatError

EU = "EU"

#: withdrawn or non-standard 3-letter codes → the key we use (see module docstring)
ISO3_ALIASES: dict[str, str] = {
    "YUG": "SRB",
    "SCG": "SRB",
    "CSK": "CZE",
    "SUN": "RUS",
    "ZAR": "COD",
    "ROM": "ROU",
    "TMP": "TLS",
    "BUR": "MMR",
    "KSV": "XKX",
    "KOS": "XKX",
    "YAR": "YEM",
    "EUR": EU,
    "EUN": EU,
    "EAZ": "COW511",  # country_converter's Zanzibar is COW's Zanzibar (511), one entity
}

#: withdrawn ISO 3166 numeric codes → key (DESTA and BACI use numeric codes)
ISO_NUMERIC_ALIASES: dict[int, str] = {
    280: "DEU",
    278: "DDR",
    890: "SRB",
    891: "SRB",
    200: "CZE",
    810: "RUS",
    720: "YMD",
    886: "YEM",
    230: "ETH",
    736: "SDN",
    582: "PLW",
    104: "MMR",
}

#: names neither table spells in a form the regexes catch, or catch ambiguously
NAME_ALIASES: dict[str, str] = {
    "european union": EU,
    "eu": EU,
    "european community": EU,
    "european communities": EU,
    "european economic community": EU,
    "eec": EU,
    "soviet union": "RUS",
    "ussr": "RUS",
    "union of soviet socialist republics": "RUS",
    "serbia and montenegro": "SRB",
    "federal republic of yugoslavia": "SRB",
    "west germany": "DEU",
    "east germany": "DDR",
    "german federal republic": "DEU",
    "north yemen": "YEM",
    "south yemen": "YMD",
    "people's democratic republic of yemen": "YMD",
    "kosovo": "XKX",
    "czechoslovakia": "CZE",
    # GTD / OWID spellings
    "serbia montenegro": "SRB",
    "people's republic of the congo": "COG",
    "timor": "TLS",
    "new hebrides": "VUT",
    "west germany frg": "DEU",
    "east germany gdr": "DDR",
}

#: names that look like a country but must not be mapped onto one (they would be guesses)
NAME_REJECTIONS: dict[str, str] = {
    "korea": "ambiguous country name 'Korea': North (PRK) or South (KOR)?",
    "somaliland": "Somaliland is not a recognised state; not mapped onto Somalia",
    "palestine gaza": "V-Dem's Gaza unit is not a country; not mapped onto Palestine",
}

_COW_TABLE = "cow_iso3.csv"


class Resolution(NamedTuple):
    """Result of one look-up: the key, or None with the reason it could not be resolved."""

    iso3: str | None
    reason: str | None


@dataclass(frozen=True)
class CowSpan:
    """One row of the COW code table: ccode maps to ``iso3`` in ``first_year..last_year``."""

    ccode: int
    iso3: str
    first_year: int | None
    last_year: int | None
    name: str

    def covers(self, year: int | None) -> bool:
        if year is None:
            return True
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )


#: longer country names are rejected unread (the longest real one has about 60 characters)
MAX_NAME_LENGTH = 200


def whole_number(value: object, what: str) -> tuple[int | None, str | None]:
    """A code written as a whole number ('255', '255.0') → (255, None); '325.9', 'inf', 'x' → (None, reason).

    Publishers' numeric codes are integers: a fraction is a corrupt cell, not a code to truncate.
    """
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return None, f"{what} {text!r} is not a number"
    if not math.isfinite(number) or number != int(number):
        return None, f"{what} {text!r} is not a whole number"
    return int(number), None


def undo_mojibake(text: str) -> str:
    """Repair UTF-8 text that was once decoded as Latin-1 ('SÃ£o TomÃ©' → 'São Tomé')."""
    if "Ã" not in text and "Â" not in text:
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def normalise_name(name: str) -> str:
    """Lower-case, strip accents and punctuation, '&' → 'and', drop a leading 'the'."""
    text = unicodedata.normalize("NFKD", undo_mojibake(str(name))).encode("ascii", "ignore").decode("ascii")
    text = text.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9']+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    return re.sub(r"\s+", " ", text)


def load_cow_table() -> list[CowSpan]:
    """The embedded COW ccode → key table (``customsnet/etl/data/cow_iso3.csv``)."""
    path = resources.files("customsnet.etl").joinpath("data", _COW_TABLE)
    with resources.as_file(path) as local:
        table = pd.read_csv(local, dtype=str, keep_default_na=False)
    spans = []
    for record in table.itertuples(index=False):
        ccode = int(record.ccode)
        spans.append(
            CowSpan(
                ccode=ccode,
                iso3=record.iso3 or f"COW{ccode}",
                first_year=int(record.first_year) if record.first_year else None,
                last_year=int(record.last_year) if record.last_year else None,
                name=record.name,
            )
        )
    return spans


def _country_converter_table() -> pd.DataFrame:
    """country_converter's bundled table, read directly (its class breaks under pandas 3)."""
    import country_converter

    path = Path(country_converter.__file__).with_name("country_data.tsv")
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8")


def _compile(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None  # an R-only regex construct; the exact and alias stages still apply


class CountryResolver:
    """Maps ISO3 codes, COW codes (year-aware) and free-text names to one country key."""

    def __init__(
        self,
        cow_spans: list[CowSpan],
        names: dict[str, set[str]],
        regexes: list[tuple[re.Pattern[str], str]],
        records: dict[str, dict],
    ) -> None:
        self._cow: dict[int, list[CowSpan]] = {}
        for span in cow_spans:
            self._cow.setdefault(span.ccode, []).append(span)
        self._names = names
        self._regexes = regexes
        self._records = records
        self._numeric: dict[int, str] = dict(ISO_NUMERIC_ALIASES)
        self.sources: list[str] = []

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def embedded(cls) -> CountryResolver:
        """A resolver from the package's own data only (country_converter + COW table)."""
        return cls._build(codelist=None)

    @classmethod
    def from_codelist(cls, path: str | Path) -> CountryResolver:
        """Embedded data enriched with a countrycode ``codelist`` CSV (names and regexes)."""
        codelist = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        # dots are not valid attribute names for itertuples: country.name.en → country_name_en
        codelist.columns = [c.strip().lower().replace(".", "_") for c in codelist.columns]
        missing = {"country_name_en", "iso3c", "cown", "country_name_en_regex"} - set(codelist.columns)
        if missing:
            raise SourceFormatError(
                f"{path}: country code table lacks column(s) {sorted(missing)}; found {list(codelist.columns)}"
            )
        resolver = cls._build(codelist=codelist)
        resolver.sources.append(str(path))
        return resolver

    @classmethod
    def default(cls, data_dir: str | Path | None = None) -> CountryResolver:
        """Use ``<data_dir>/country_codes/countrycode_codelist.csv`` when present, else embedded."""
        if data_dir is not None:
            path = Path(data_dir) / "country_codes" / "countrycode_codelist.csv"
            if path.is_file():
                return cls.from_codelist(path)
        return cls.embedded()

    @classmethod
    def _build(cls, codelist: pd.DataFrame | None) -> CountryResolver:
        spans = load_cow_table()
        latest_cow = _latest_cow_by_key(spans)
        converter = _country_converter_table()
        records: dict[str, dict] = {}
        names: dict[str, set[str]] = {}
        regexes: list[tuple[re.Pattern[str], str]] = []

        def add_name(name: str, key: str) -> None:
            if name:
                names.setdefault(normalise_name(name), set()).add(key)

        for row in converter.itertuples(index=False):
            if row.ISO3 in ISO3_ALIASES:
                continue  # an entity we key differently (see ISO3_ALIASES)
            records[row.ISO3] = {
                "iso3": row.ISO3,
                "cow": latest_cow.get(row.ISO3),
                "name": row.name_short,
                "region": row.UNregion or None,
                "is_state": row.ISO3 in latest_cow,
            }
            add_name(row.name_short, row.ISO3)
            add_name(row.name_official, row.ISO3)
            if (pattern := _compile(row.regex)) is not None:
                regexes.append((pattern, row.ISO3))
        for span in spans:
            records.setdefault(
                span.iso3,
                {
                    "iso3": span.iso3,
                    "cow": latest_cow.get(span.iso3),
                    "name": span.name,
                    "region": None,
                    "is_state": True,
                },
            )
            add_name(span.name, span.iso3)
        if codelist is not None:
            cow_key = {str(s.ccode): s.iso3 for s in spans}
            for row in codelist.itertuples(index=False):
                fields = row._asdict()
                key = fields["iso3c"] or cow_key.get(fields["cown"])
                if not key:
                    continue  # a historical entity with neither ISO3 nor COW code (e.g. Prussia)
                records.setdefault(
                    key,
                    {
                        "iso3": key,
                        "cow": latest_cow.get(key),
                        "name": fields["country_name_en"],
                        "region": None,
                        "is_state": key in latest_cow,
                    },
                )
                add_name(fields["country_name_en"], key)
                if (pattern := _compile(fields["country_name_en_regex"])) is not None:
                    regexes.append((pattern, key))
        records[EU] = {"iso3": EU, "cow": None, "name": "European Union", "region": "Europe", "is_state": False}
        for alias, key in NAME_ALIASES.items():
            names[normalise_name(alias)] = {key}  # aliases are deliberate: they override
        resolver = cls(spans, names, regexes, records)
        for row in converter.itertuples(index=False):
            if row.ISOnumeric.strip().isdigit():
                resolver._numeric[int(row.ISOnumeric)] = row.ISO3
        return resolver

    # --- scalar look-ups ----------------------------------------------------------------------
    def from_iso3(self, code: object) -> Resolution:
        """Resolve an ISO3 code (case-insensitive; withdrawn codes via :data:`ISO3_ALIASES`)."""
        if _is_blank(code):
            return Resolution(None, "empty country code")
        text = str(code).strip().upper()
        text = ISO3_ALIASES.get(text, text)
        if text in self._records:
            return Resolution(text, None)
        return Resolution(None, f"unknown ISO3 code {str(code).strip()!r}")

    def from_iso_numeric(self, code: object) -> Resolution:
        """Resolve an ISO 3166 numeric code (e.g. 840 → USA; withdrawn 280 → DEU)."""
        if _is_blank(code):
            return Resolution(None, "empty country code")
        number, reason = whole_number(code, "ISO numeric code")
        if reason:
            return Resolution(None, reason)
        if number in self._numeric:
            return Resolution(self._numeric[number], None)
        return Resolution(None, f"unknown ISO numeric code {number}")

    def from_cow(self, code: object, year: object = None) -> Resolution:
        """Resolve a COW numeric state code, in ``year`` when its meaning depends on the year."""
        if _is_blank(code):
            return Resolution(None, "empty COW code")
        ccode, reason = whole_number(code, "COW code")
        if reason:
            return Resolution(None, reason)
        spans = self._cow.get(ccode)
        if not spans:
            return Resolution(None, f"unknown COW code {ccode}")
        year_int, year_reason = (None, None) if _is_blank(year) else whole_number(year, "year")
        if year_reason:
            return Resolution(None, year_reason)
        for span in spans:
            if span.covers(year_int):
                return Resolution(span.iso3, None)
        ranges = ", ".join(f"{s.first_year or '…'}–{s.last_year or '…'}" for s in spans)
        return Resolution(None, f"COW code {ccode} ({spans[0].name}) is not in use in {year_int} (valid {ranges})")

    def from_name(self, name: object) -> Resolution:
        """Resolve a free-text name: exact normalised name, then aliases, then regexes."""
        if _is_blank(name):
            return Resolution(None, "empty country name")
        text = str(name).strip()
        if len(text) > MAX_NAME_LENGTH:  # matching runs ~500 regexes over the name: keep it bounded
            return Resolution(None, f"country name of {len(text)} characters (over {MAX_NAME_LENGTH}): {text[:40]!r}…")
        normalised = normalise_name(text)
        if normalised in NAME_REJECTIONS:
            return Resolution(None, NAME_REJECTIONS[normalised])
        keys = self._names.get(normalised)
        if keys and len(keys) == 1:
            return Resolution(next(iter(keys)), None)
        if keys:
            return Resolution(None, f"ambiguous country name {text!r}: {', '.join(sorted(keys))}")
        repaired = undo_mojibake(text)
        matched = sorted({key for pattern, key in self._regexes if pattern.search(repaired)})
        if len(matched) == 1:
            return Resolution(matched[0], None)
        if matched:
            return Resolution(None, f"ambiguous country name {text!r}: matches {', '.join(matched)}")
        return Resolution(None, f"unknown country name {text!r}")

    def from_code_or_name(self, value: object) -> Resolution:
        """An ISO3 code if the value looks like one and is known, else a name."""
        if not _is_blank(value) and re.fullmatch(r"[A-Za-z]{2,3}", str(value).strip()):
            found = self.from_iso3(value)
            if found.iso3 is not None:
                return found
        return self.from_name(value)

    # --- vectorised look-ups ------------------------------------------------------------------
    def from_iso3_series(self, codes: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Vectorised :meth:`from_iso3`: (key Series, reason Series), aligned with ``codes``."""
        return self._map_unique(codes, self.from_iso3)

    def from_name_series(self, names: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Vectorised :meth:`from_name`."""
        return self._map_unique(names, self.from_name)

    def from_code_or_name_series(self, values: pd.Series) -> tuple[pd.Series, pd.Series]:
        """Vectorised :meth:`from_code_or_name`."""
        return self._map_unique(values, self.from_code_or_name)

    def from_cow_series(self, codes: pd.Series, years: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
        """Vectorised :meth:`from_cow` over aligned code and year Series."""
        code_text = _as_text(codes)
        year_text = _as_text(years) if years is not None else pd.Series("", index=codes.index, dtype="string")
        pairs = code_text + "|" + year_text.reindex(codes.index)

        def lookup(pair: str) -> Resolution:
            code, _, year = pair.partition("|")
            return self.from_cow(code, year or None)

        return _lookup_unique(pairs, lookup)

    def _map_unique(self, values: pd.Series, lookup) -> tuple[pd.Series, pd.Series]:
        return _lookup_unique(_as_text(values), lookup)

    # --- tables -------------------------------------------------------------------------------
    def record(self, key: str) -> dict | None:
        """The identity record (iso3, cow, name, region, is_state) of a key, or None."""
        found = self._records.get(key)
        return dict(found) if found else None

    def countries_frame(self, keys: list[str] | None = None) -> pd.DataFrame:
        """The canonical ``countries`` frame for ``keys`` (default: every known country)."""
        chosen = sorted(self._records) if keys is None else sorted(set(keys))
        rows = [self._records[k] for k in chosen if k in self._records]
        frame = pd.DataFrame(rows, columns=CANONICAL_COLUMNS["countries"])
        frame["cow"] = frame["cow"].astype("Int64")
        frame["is_state"] = frame["is_state"].astype(bool)
        return frame

    def cow_codes(self) -> list[int]:
        """Every COW code the resolver knows."""
        return sorted(self._cow)


def _latest_cow_by_key(spans: list[CowSpan]) -> dict[str, int]:
    """For each key, the COW code in use most recently (Germany → 255, Yemen → 679)."""
    latest: dict[str, tuple[int, int]] = {}
    for span in spans:
        recency = span.last_year if span.last_year is not None else 10_000
        if span.iso3 not in latest or recency > latest[span.iso3][0]:
            latest[span.iso3] = (recency, span.ccode)
    return {key: ccode for key, (_, ccode) in latest.items()}


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    try:
        if pd.isna(value):
            return True
    except (TypeError, ValueError):
        pass
    return str(value).strip() == ""


def _as_text(values: pd.Series) -> pd.Series:
    """Values as stripped text, missing → '' (so that look-ups run once per distinct value)."""
    if pd.api.types.is_float_dtype(values):  # 255.0 → '255'
        values = values.astype("Int64")
    return values.astype("string").str.strip().fillna("")


def _lookup_unique(text: pd.Series, lookup) -> tuple[pd.Series, pd.Series]:
    """Run ``lookup`` once per distinct text value; (key Series, reason Series) aligned with ``text``."""
    positions, uniques = pd.factorize(text)
    found = [lookup(value) for value in uniques]
    keys = np.array([r.iso3 for r in found] + [None], dtype=object)[positions]
    reasons = np.array([r.reason for r in found] + ["empty value"], dtype=object)[positions]
    return pd.Series(keys, index=text.index, dtype="object"), pd.Series(reasons, index=text.index, dtype="object")


@lru_cache(maxsize=4)
def cached_resolver(data_dir: str | None = None) -> CountryResolver:
    """A process-wide resolver (building one compiles ~500 regexes, so reuse it)."""
    return CountryResolver.default(data_dir)
