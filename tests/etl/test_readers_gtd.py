"""GTD: publisher event file (Latin-1) and OWID's country-year totals with its name map."""

from __future__ import annotations

from pathlib import Path

import pytest

from customsnet.etl.canonical import SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.gtd import read_gtd

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "gtd_country_year"


@pytest.fixture(scope="module")
def resolver() -> CountryResolver:
    return CountryResolver.embedded()


def totals(result) -> dict[tuple[str, int], float]:
    frame = result.frames["observations"]
    assert set(frame["variable"]) == {"terror_fatalities"}
    return {(i, y): v for i, y, v in zip(frame["iso3"], frame["year"], frame["value"])}


def test_event_file_latin1_summed(resolver):
    result = read_gtd(FIXTURES / "globalterrorismdb_fixture.csv", resolver)
    assert result.layout == "publisher:GTD"
    assert any("Latin-1" in note and "offset" in note for note in result.notes)
    assert any("1 events with empty nkill counted as 0" in note for note in result.notes)
    assert totals(result) == {("USA", 1990): 2.0, ("DEU", 1990): 1.0, ("DEU", 1989): 3.0, ("PHL", 1990): 4.0}
    rejected = {
        r: (f, why) for r, f, why in zip(result.rejects["row"], result.rejects["field"], result.rejects["reason"])
    }
    assert rejected[5] == ("country_txt", "unknown country name 'Atlantis'")
    assert rejected[6][0] == "nkill"
    assert rejected[7][0] == "iyear" and "impossible year" in rejected[7][1]


def test_owid_layout_skips_aggregates_and_uses_name_map(resolver):
    result = read_gtd(FIXTURES / "owid" / "owid_gtd_country_year_1970_2020.csv", resolver)
    assert result.layout == "shared:owid_gtd"
    assert any("2 aggregate rows skipped (Western Europe, World)" in note for note in result.notes)
    assert totals(result) == {
        ("DEU", 1989): 4.0,
        ("DEU", 1990): 3.0,  # Germany + West Germany in 1990 summed
        ("TLS", 2000): 3.0,
        ("USA", 2001): 3014.0,
        ("PER", 1995): 1.0,  # 'Incaland' via the name map
    }
    rejected = {
        r: (f, why) for r, f, why in zip(result.rejects["row"], result.rejects["field"], result.rejects["reason"])
    }
    assert rejected[1] == ("entity", "unknown country name 'Freedonia'")
    assert rejected[9][0] == "entity" and "duplicate entity-year United States/2001" in rejected[9][1]
    assert rejected[10][0] == "terrorism_fatalities"
    assert not (result.rejects["value"].isin(["World", "Western Europe"])).any()


def test_non_utf8_is_fatal_for_sources_without_latin1_fallback(resolver, tmp_path):
    from customsnet.etl.readers.majors import read_majors

    path = tmp_path / "majors.csv"
    data = "fiscal_year,determination_date,country,source_url\n2010,2009-09-15,Côte d'Ivoire,u\n".encode("latin-1")
    path.write_bytes(data)
    offset = data.index("ô".encode("latin-1"))
    with pytest.raises(SourceFormatError, match=rf"majors.csv: not valid UTF-8 at byte offset {offset} \(line 2\)"):
        read_majors(path, resolver)


def test_real_owid_file(resolver):
    path = SHARED / "owid_gtd_country_year_1970_2020.csv"
    if not path.is_file():
        pytest.skip("../shared/data/gtd_country_year not present")
    result = read_gtd(path, resolver)
    assert result.rows_read == 4682
    assert result.rejects.empty
    values = totals(result)
    assert values[("USA", 2001)] == 3014.0
    assert not any(year == 1993 for _, year in values)
    assert any("616 aggregate rows skipped" in note for note in result.notes)


def test_excel_release_asks_for_csv(resolver, tmp_path):
    path = tmp_path / "globalterrorismdb_0522dist.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(
        SourceFormatError, match=r"globalterrorismdb_0522dist.xlsx: Excel format, not CSV; export it as UTF-8 CSV"
    ):
        read_gtd(path, resolver)
