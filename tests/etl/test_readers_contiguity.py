"""COW direct contiguity: dyad-year contdird, spell contdir (YYYYMM), shared cow_contdir."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customsnet.etl.canonical import CANONICAL_COLUMNS, SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.contiguity import read_contiguity

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cow_contiguity"


@pytest.fixture(scope="module")
def resolver() -> CountryResolver:
    return CountryResolver.embedded()


def spells(result) -> set[tuple]:
    frame = result.frames["contiguity"]
    return {
        (a, b, t, s, None if pd.isna(u) else int(u))
        for a, b, t, s, u in zip(frame["iso1"], frame["iso2"], frame["type"], frame["since"], frame["until"])
    }


def reasons(result) -> dict[int, tuple[str, str]]:
    return {r: (f, why) for r, f, why in zip(result.rejects["row"], result.rejects["field"], result.rejects["reason"])}


def test_dyad_years_become_spells(resolver):
    result = read_contiguity(FIXTURES / "contdird_layout.csv", resolver)
    assert result.layout == "publisher:contdird"
    assert list(result.frames["contiguity"].columns) == CANONICAL_COLUMNS["contiguity"]
    # both orders of USA–CAN are one open-ended spell (1922 is the file's last year)
    assert spells(result) == {
        ("CAN", "USA", 1, 1920, None),
        ("MEX", "USA", 1, 1920, 1920),
        ("MEX", "USA", 1, 1922, None),
        ("RUS", "USA", 4, 1921, 1921),
    }
    rejected = reasons(result)
    assert rejected[10] == ("state2no", "unknown COW code 999")
    assert rejected[11][0] == "conttype" and "1 (land) to 5" in rejected[11][1]


def test_yyyymm_spells(resolver):
    result = read_contiguity(FIXTURES / "contdir_layout.csv", resolver)
    assert result.layout == "publisher:contdir"
    # FRA–260 (1955–1990) and FRA–255 (1990–) are one Germany–France spell
    assert spells(result) == {
        ("CAN", "USA", 1, 1920, None),
        ("CUB", "USA", 4, 1902, 1906),
        ("DEU", "FRA", 1, 1955, None),
        ("DEU", "POL", 1, 1918, 1939),
    }
    rejected = reasons(result)
    assert rejected[6][0] == "end" and "impossible date" in rejected[6][1]
    assert rejected[7][0] == "statehno" and "self-pair" in rejected[7][1]


def test_shared_layout_both_orders_type_zero_and_duplicates(resolver):
    result = read_contiguity(FIXTURES / "cow_contdir_layout.csv", resolver)
    assert result.layout == "shared:cow_contdir"
    assert spells(result) == {("CAN", "USA", 1, 1920, None), ("RUS", "USA", 4, 1959, None)}
    assert any("type 0" in note for note in result.notes)
    assert any("other order" in note for note in result.notes)
    rejected = reasons(result)
    assert rejected[6][0] == "enddate" and "ends before it starts" in rejected[6][1]
    assert rejected[7][0] == "ccode2" and "duplicate" in rejected[7][1]
    assert result.rows_rejected == 2


def test_missing_column(resolver, tmp_path):
    path = tmp_path / "contdir.csv"
    path.write_text("ccode1,ccode2,conttype,stdate\n2,20,1,1920-01-01\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"contdir.csv: missing column\(s\) \['enddate'\]"):
        read_contiguity(path, resolver)


def test_real_file(resolver):
    path = SHARED / "cow_contdir.csv"
    if not path.is_file():
        pytest.skip("../shared/data/cow_contiguity not present")
    result = read_contiguity(path, resolver)
    assert result.rows_read == 1874 and result.rejects.empty
    found = spells(result)
    assert ("CAN", "USA", 1, 1920, None) in found  # USA–Canada land border since 1920
    assert ("MEX", "USA", 1, 1831, None) in found
    frame = result.frames["contiguity"]
    assert (frame["iso1"] < frame["iso2"]).all()
    assert not frame.duplicated(["iso1", "iso2", "type", "since"]).any()
