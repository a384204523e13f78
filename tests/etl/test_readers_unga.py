"""UNGA ideal points: Dataverse (session) layout and the shared BSV copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from customsnet.etl.canonical import SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.unga import read_unga

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "unga_idealpoints"


@pytest.fixture(scope="module")
def resolver() -> CountryResolver:
    return CountryResolver.embedded()


def points(result) -> dict[tuple[str, int], float]:
    frame = result.frames["observations"]
    assert set(frame["variable"]) <= {"ideal_point"}
    return {(i, y): v for i, y, v in zip(frame["iso3"], frame["year"], frame["value"])}


def test_dataverse_layout_sessions_to_years(resolver):
    result = read_unga(FIXTURES / "unga_dataverse_layout.csv", resolver)
    assert result.layout == "publisher:dataverse"
    # session 40 → 1985; IdealPointAll (not FP) is the variable; 260 in 1989 and 255 in 1990 → DEU
    assert points(result) == {("USA", 1985): 2.70, ("DEU", 1989): 1.90, ("DEU", 1990): 1.91, ("BHS", 1995): -0.30}
    rejected = {
        r: (f, why) for r, f, why in zip(result.rejects["row"], result.rejects["field"], result.rejects["reason"])
    }
    assert rejected[4] == ("ccode", "unknown country name 'Freedonia'")  # no code: ISO3, then name tried
    assert rejected[6] == ("ccode", "unknown COW code 999")
    assert rejected[8][0] == "session"
    assert rejected[9][0] == "year" and "duplicate country-year USA/1985" in rejected[9][1]
    assert 7 not in rejected  # an empty ideal point is missing, not an error


def test_shared_layout_resolves_by_cow_code_not_the_files_iso3(resolver):
    result = read_unga(FIXTURES / "unga_bsv_layout.csv", resolver)
    assert result.layout == "shared:bsv_idealpoints"
    # 680 is South Yemen even though the file says YAR; the legacy-only 678/1990 row does not
    # shadow 679/1990; Yugoslavia (345) is Serbia
    assert points(result) == {("YMD", 1989): -1.2, ("YEM", 1989): -0.9, ("YEM", 1990): -1.0, ("SRB", 2010): 0.25}
    assert result.rejects.empty


def test_missing_ideal_point_column(resolver, tmp_path):
    path = tmp_path / "ideal.csv"
    path.write_text("ccode,session,IdealPointFP\n2,40,1.0\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"ideal.csv: missing the ideal point column.*IdealPointFP"):
        read_unga(path, resolver)


def test_real_file_match_rate(resolver):
    path = SHARED / "idealpoints_bsv_july2025_1985_2024.csv"
    if not path.is_file():
        pytest.skip("../shared/data/unga_idealpoints not present")
    result = read_unga(path, resolver)
    assert result.rows_read == 7310
    assert result.rows_rejected == 0  # every COW code resolves for its year
    values = points(result)
    assert values[("USA", 1985)] == pytest.approx(2.699783)
    assert ("YMD", 1989) in values and ("DDR", 1989) in values
    assert len(values) == 7310 - 204  # 204 rows carry no all-votes ideal point
