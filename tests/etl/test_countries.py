"""Country identity resolution: ISO3, COW (year-aware) and names → one key."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customsnet.etl.canonical import CANONICAL_COLUMNS, SourceFormatError
from customsnet.etl.countries import CountryResolver, load_cow_table, normalise_name

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CODELIST = SHARED / "country_codes" / "countrycode_codelist.csv"


@pytest.fixture(scope="module")
def embedded() -> CountryResolver:
    return CountryResolver.embedded()


@pytest.fixture(scope="module")
def with_codelist() -> CountryResolver:
    if not CODELIST.is_file():
        pytest.skip("../shared/data/country_codes not present")
    return CountryResolver.from_codelist(CODELIST)


def resolvers(embedded: CountryResolver, request) -> list[CountryResolver]:
    found = [embedded]
    if CODELIST.is_file():
        found.append(request.getfixturevalue("with_codelist"))
    return found


@pytest.mark.parametrize(
    ("code", "year", "expected"),
    [
        (255, 1938, "DEU"),
        (260, 1985, "DEU"),
        (255, 1995, "DEU"),
        (265, 1985, "DDR"),
        (678, 1985, "YEM"),
        (679, 1995, "YEM"),
        (680, 1985, "YMD"),
        (345, 1985, "SRB"),
        (345, 2010, "SRB"),
        (347, 2010, "XKX"),
        (365, 1985, "RUS"),
        (365, 2000, "RUS"),
        (315, 1985, "CZE"),
        (316, 2000, "CZE"),
        (317, 2000, "SVK"),
        (816, 1990, "VNM"),
        (817, 1970, "COW817"),
        (300, 1900, "COW300"),
        (2, 2000, "USA"),
        ("20", "2000", "CAN"),
    ],
)
def test_cow_codes_resolve_year_aware(embedded, code, year, expected):
    assert embedded.from_cow(code, year) == (expected, None)


@pytest.mark.parametrize(
    ("code", "year", "fragment"),
    [
        (260, 1995, "not in use in 1995"),
        (255, 1970, "not in use in 1970"),
        (316, 1990, "not in use in 1990"),
        (679, 1985, "not in use in 1985"),
        (999, 2000, "unknown COW code 999"),
        ("abc", 2000, "not a number"),
        (None, 2000, "empty"),
    ],
)
def test_cow_codes_out_of_range_or_unknown_are_rejected(embedded, code, year, fragment):
    iso3, reason = embedded.from_cow(code, year)
    assert iso3 is None
    assert fragment in reason


def test_iso3_codes_and_withdrawn_aliases(embedded):
    assert embedded.from_iso3("usa") == ("USA", None)
    assert embedded.from_iso3(" EU ").iso3 == "EU"
    assert embedded.from_iso3("YUG").iso3 == "SRB"
    assert embedded.from_iso3("CSK").iso3 == "CZE"
    assert embedded.from_iso3("SUN").iso3 == "RUS"
    assert embedded.from_iso3("XKX").iso3 == "XKX"
    assert embedded.from_iso3("EAZ").iso3 == "COW511" == embedded.from_name("Zanzibar").iso3
    iso3, reason = embedded.from_iso3("PSG")
    assert iso3 is None and "unknown ISO3 code 'PSG'" in reason


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Burma", "MMR"),
        ("The Bahamas", "BHS"),
        ("Côte d'Ivoire", "CIV"),
        ("Ivory Coast", "CIV"),
        ("Democratic Republic of the Congo", "COD"),
        ("Congo (Brazzaville)", "COG"),
        ("Türkiye", "TUR"),
        ("Soviet Union", "RUS"),
        ("Yugoslavia", "SRB"),
        ("Serbia and Montenegro", "SRB"),
        ("European Union", "EU"),
        ("  united   states of america ", "USA"),
        ("Niger", "NER"),
        ("Nigeria", "NGA"),
        ("Dominica", "DMA"),
        ("Dominican Republic", "DOM"),
        ("South Sudan", "SSD"),
        ("Sudan", "SDN"),
        ("Korea, Republic of", "KOR"),
        ("North Korea", "PRK"),
        ("Hong Kong", "HKG"),
        ("Czechoslovakia", "CZE"),
    ],
)
def test_names_resolve_in_both_modes(embedded, request, name, expected):
    for resolver in resolvers(embedded, request):
        assert resolver.from_name(name) == (expected, None), name


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("Atlantis", "unknown country name"),
        ("Korea", "ambiguous"),
        ("Somaliland", "not a recognised state"),
        ("", "empty"),
    ],
)
def test_unresolvable_names_are_not_guessed(embedded, request, name, fragment):
    for resolver in resolvers(embedded, request):
        iso3, reason = resolver.from_name(name)
        assert iso3 is None
        assert fragment in reason


def test_regex_matching_more_than_one_country_is_ambiguous(embedded):
    iso3, reason = embedded.from_name("Niger and Nigeria")
    assert iso3 is None
    assert "ambiguous" in reason and "NER" in reason and "NGA" in reason


def test_mojibake_names_are_repaired(embedded):
    # the shared UNGA file spells São Tomé as UTF-8 read as Latin-1
    assert embedded.from_name("SÃ£o TomÃ© & PrÃ\xadncipe") == ("STP", None)


def test_normalise_name():
    assert normalise_name("  The Bahamas ") == "bahamas"
    assert normalise_name("Antigua & Barbuda") == "antigua and barbuda"
    assert normalise_name("São Tomé") == "sao tome"


def test_vectorised_lookups_align_with_the_input_index(embedded):
    names = pd.Series(["Burma", "Atlantis", "Burma", None], index=[10, 11, 12, 13])
    keys, reasons = embedded.from_name_series(names)
    assert keys.tolist() == ["MMR", None, "MMR", None]
    assert list(keys.index) == [10, 11, 12, 13]
    assert reasons.notna().tolist() == [False, True, False, True]
    codes = pd.Series([260, 255, 255, 680])
    years = pd.Series([1985, 1995, 1985, 1989])
    keys, reasons = embedded.from_cow_series(codes, years)
    assert keys.tolist() == ["DEU", "DEU", None, "YMD"]
    assert "not in use in 1985" in reasons.iloc[2]
    keys, _ = embedded.from_iso3_series(pd.Series(["can", "YUG", "EU"]))
    assert keys.tolist() == ["CAN", "SRB", "EU"]


def test_countries_frame_has_canonical_columns_and_the_eu(embedded):
    frame = embedded.countries_frame()
    assert list(frame.columns) == CANONICAL_COLUMNS["countries"]
    assert frame["iso3"].is_unique
    eu = frame.set_index("iso3").loc["EU"]
    assert not eu["is_state"] and pd.isna(eu["cow"])
    deu = frame.set_index("iso3").loc["DEU"]
    assert deu["cow"] == 255 and deu["is_state"]
    assert not frame.set_index("iso3").loc["HKG", "is_state"]
    assert embedded.countries_frame(["USA", "CAN"])["iso3"].tolist() == ["CAN", "USA"]


def test_embedded_cow_table_agrees_with_the_countrycode_codelist():
    """Our COW→ISO3 table must match countrycode's cown/iso3c except the documented choices."""
    if not CODELIST.is_file():
        pytest.skip("../shared/data/country_codes not present")
    codelist = pd.read_csv(CODELIST, dtype=str, keep_default_na=False)
    codelist = codelist[(codelist["cown"] != "") & (codelist["iso3c"] != "")]
    ours = {span.ccode: span.iso3 for span in load_cow_table()}
    deliberate = {327}  # COW's Papal States (1816-1870) are not the Vatican (VAT)
    mismatches = {
        int(c): (iso, ours.get(int(c)))
        for c, iso in zip(codelist["cown"], codelist["iso3c"])
        if int(c) not in deliberate and ours.get(int(c)) != iso
    }
    assert mismatches == {}


def test_codelist_without_regex_column_is_a_format_error(tmp_path):
    bad = tmp_path / "codes.csv"
    bad.write_text("country.name.en,iso3c,cown\nFreedonia,FRE,999\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"codes.csv.*country_name_en_regex"):
        CountryResolver.from_codelist(bad)
