"""V-Dem: publisher CY layout, vdemlite copy, isard COW-coded democracy copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from customsnet.etl.canonical import CANONICAL_COLUMNS, SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.vdem import read_vdem

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "vdem"


@pytest.fixture(scope="module")
def resolver() -> CountryResolver:
    return CountryResolver.embedded()


def value(result, iso3: str, year: int, variable: str) -> float:
    frame = result.frames["observations"]
    found = frame[(frame["iso3"] == iso3) & (frame["year"] == year) & (frame["variable"] == variable)]
    assert len(found) == 1, (iso3, year, variable)
    return float(found["value"].iloc[0])


def test_publisher_core_layout(resolver):
    result = read_vdem(FIXTURES / "V-Dem-CY-Core-v14_fixture.csv", resolver)
    assert result.layout == "publisher:V-Dem-CY-Core"
    frame = result.frames["observations"]
    assert list(frame.columns) == CANONICAL_COLUMNS["observations"]
    assert value(result, "DEU", 2000, "polyarchy") == pytest.approx(0.812)
    assert value(result, "DEU", 2000, "civlib") == pytest.approx(0.905)
    assert value(result, "DEU", 2000, "corruption") == pytest.approx(0.031)
    # empty polyarchy in 2001: no observation (missing, never zero), the others are kept
    assert set(frame[(frame["iso3"] == "DEU") & (frame["year"] == 2001)]["variable"]) == {"civlib", "corruption"}
    assert set(frame["variable"]) == {"polyarchy", "civlib", "corruption"}


def test_publisher_rejects(resolver):
    result = read_vdem(FIXTURES / "V-Dem-CY-Core-v14_fixture.csv", resolver)
    rejected = {
        row: (f, r) for row, f, r in zip(result.rejects["row"], result.rejects["field"], result.rejects["reason"])
    }
    assert rejected[1] == ("country_text_id", "V-Dem unit Freedonia: unknown ISO3 code 'FRE'")
    assert "Ruritania" in rejected[4][1] and "SML" in rejected[4][1]
    assert rejected[5][0] == "year" and "duplicate country-year DEU/2001 (first at data row 3)" in rejected[5][1]
    assert rejected[6] == ("v2x_polyarchy", "not a finite number")
    assert rejected[7] == ("v2x_polyarchy", "value outside 0.0–1.0")
    assert rejected[8][0] == "year" and "impossible year" in rejected[8][1]
    assert result.rows_rejected == 6
    assert set(result.frames["observations"]["row"]) == {2, 3}


def test_vdemlite_layout(resolver):
    result = read_vdem(FIXTURES / "vdemlite_layout.csv", resolver)
    assert result.layout == "shared:vdemlite"
    assert value(result, "MEX", 1999, "corruption") == pytest.approx(0.7)
    assert value(result, "XKX", 2010, "polyarchy") == pytest.approx(0.45)


def test_isard_democracy_layout(resolver):
    result = read_vdem(FIXTURES / "isard_cw_democracy_layout.csv", resolver)
    assert result.layout == "shared:isard_cw_democracy"
    assert set(result.frames["observations"]["variable"]) == {"polyarchy"}
    assert value(result, "DEU", 1989, "polyarchy") == pytest.approx(0.85)
    assert value(result, "DEU", 1991, "polyarchy") == pytest.approx(0.86)
    rejected = result.rejects.set_index("row")
    assert "not in use in 1995" in rejected.loc[3, "reason"]
    assert 4 not in rejected.index  # NA polyarchy: missing, not rejected, no observation
    assert not ((result.frames["observations"]["iso3"] == "YMD").any())


def test_missing_value_column(resolver, tmp_path):
    path = tmp_path / "V-Dem-CY-Core-v14.csv"
    path.write_text(
        "country_name,country_text_id,year,v2x_polyarchy,v2x_civlib\nX,DEU,2000,0.1,0.2\n", encoding="utf-8"
    )
    with pytest.raises(SourceFormatError) as error:
        read_vdem(path, resolver)
    assert "V-Dem-CY-Core-v14.csv" in str(error.value) and "v2x_corr" in str(error.value)


def test_real_vdemlite(resolver):
    path = SHARED / "vdemlite_v14_polyarchy_civlib_corr_1985_2023.csv"
    if not path.is_file():
        pytest.skip("../shared/data/vdem not present")
    result = read_vdem(path, resolver)
    assert result.rows_read == 6811
    # values looked up in the file: Mexico 1985 and United States 2000
    assert value(result, "MEX", 1985, "polyarchy") == pytest.approx(0.324)
    assert value(result, "USA", 2000, "polyarchy") == pytest.approx(0.871)
    assert value(result, "USA", 2000, "corruption") == pytest.approx(0.058)
    # only V-Dem's non-country units stay unmatched; the match rate is above 98%
    assert set(result.rejects["value"]) == {"PSG", "SML", "ZZB"}
    assert result.rows_loaded / result.rows_read > 0.98


def test_real_isard_democracy(resolver):
    path = SHARED / "isard_cw_democracy_1985_2025.csv"
    if not path.is_file():
        pytest.skip("../shared/data/vdem not present")
    result = read_vdem(path, resolver)
    assert value(result, "USA", 2000, "polyarchy") == pytest.approx(0.867)
    assert value(result, "DEU", 1989, "polyarchy") > 0.8  # COW 260 in 1989 is Germany
    assert result.rows_rejected == 2  # DEU and YEM counted twice in 1990 (two COW codes)
