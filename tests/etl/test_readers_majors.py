"""US Majors List: fiscal-year observations."""

from __future__ import annotations

from pathlib import Path

import pytest

from customsnet.etl.canonical import SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.majors import read_majors

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "us_majors_list"


@pytest.fixture(scope="module")
def resolver() -> CountryResolver:
    return CountryResolver.embedded()


def test_layout_and_rejects(resolver):
    result = read_majors(FIXTURES / "majors_list_layout.csv", resolver)
    frame = result.frames["observations"]
    assert set(zip(frame["iso3"], frame["year"])) == {("MMR", 2010), ("BHS", 2010), ("LAO", 2011)}
    assert set(frame["variable"]) == {"majors_list"} and set(frame["value"]) == {1.0}
    reasons = {
        r: (f, why) for r, f, why in zip(result.rejects["row"], result.rejects["field"], result.rejects["reason"])
    }
    assert reasons[3][0] == "country" and "duplicate country-fiscal year MMR/2010" in reasons[3][1]
    assert reasons[4][0] == "determination_date" and "outside FY 2010" in reasons[4][1]
    assert reasons[5] == ("country", "unknown country name 'Freedonia'")
    assert reasons[6][0] == "determination_date" and "2010-02-30" in reasons[6][1]
    assert reasons[7][0] == "fiscal_year"
    assert any("fiscal years covered: 2010, 2011" in note for note in result.notes)


def test_missing_column(resolver, tmp_path):
    path = tmp_path / "majors.csv"
    path.write_text("fiscal_year,country,source_url\n2010,Peru,u\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"majors.csv: missing column\(s\) \['determination_date'\]"):
        read_majors(path, resolver)


def test_real_partial_list(resolver):
    path = SHARED / "us_majors_list_partial.csv"
    if not path.is_file():
        pytest.skip("../shared/data/us_majors_list not present")
    result = read_majors(path, resolver)
    assert result.rows_read == 237 and result.rejects.empty
    frame = result.frames["observations"]
    assert sorted(set(frame["year"])) == [2005, 2009, 2010, 2011, 2013, 2014, 2018, 2020, 2021, 2023, 2025]
    assert ("MMR", 2005) in set(zip(frame["iso3"], frame["year"]))  # "Burma"
    assert ("BHS", 2005) in set(zip(frame["iso3"], frame["year"]))  # "The Bahamas"
