"""DESTA: publisher dyad list and manytrade memberships (plurilateral)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from customsnet.etl.canonical import CANONICAL_COLUMNS, SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.desta import read_desta

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "desta_fta"


@pytest.fixture(scope="module")
def resolver() -> CountryResolver:
    return CountryResolver.embedded()


def rejected(result) -> dict[int, tuple[str, str]]:
    return {r: (f, why) for r, f, why in zip(result.rejects["row"], result.rejects["field"], result.rejects["reason"])}


def test_dyad_list(resolver):
    result = read_desta(FIXTURES / "desta_list_of_treaties_02_02_dyads.csv", resolver)
    assert result.layout == "publisher:desta_dyads"
    frame = result.frames["agreements"].set_index("id")
    assert list(result.frames["agreements"].columns[:10]) == CANONICAL_COLUMNS["agreements"]
    assert sorted(frame.index) == [
        "fta:desta:1:CAN-MEX",
        "fta:desta:1:CAN-USA",
        "fta:desta:1:MEX-USA",
        "fta:desta:2:CHL-ISL",
        "fta:desta:6:DEU-ISR",
    ]
    nafta = frame.loc["fta:desta:1:CAN-USA"]
    assert nafta["parties"] == ["CAN", "USA"] and nafta["year_signed"] == 1992 and nafta["signed"] is None
    assert nafta["in_force"] == dt.date(1994, 1, 1) and nafta["in_force_precision"] == "year"
    assert set(frame["type"]) == {"FTA"}
    reasons = rejected(result)
    assert reasons[5] == ("iso2", "unknown ISO numeric code 999")
    assert reasons[6][0] == "iso2" and "self-pair" in reasons[6][1]
    assert reasons[7][0] == "entry_type"
    assert reasons[8][0] == "entryforceyear" and "20011" in reasons[8][1]
    assert reasons[9][0] == "iso2" and "duplicate of data row 1" in reasons[9][1]


def test_manytrade_memberships_plurilateral(resolver):
    result = read_desta(FIXTURES / "manytrade_memberships_layout.csv", resolver)
    assert result.layout == "shared:manytrade_memberships"
    frame = result.frames["agreements"].set_index("id")
    community = frame.loc["fta:desta:AAA_1991O"]
    assert community["parties"] == ["AGO", "BDI", "BEN"]
    assert community["in_force"] == dt.date(1994, 1, 1)
    # Benin's own entry into force (1996-07-01 in a later row) is kept per party
    assert community["party_in_force"] == {"AGO": 1994, "BDI": 1994, "BEN": 1996}
    pair = frame.loc["fta:desta:BBB_2003O"]
    assert pair["parties"] == ["ALB", "XKX"]  # empty stateID resolved from StateName
    assert pair["signed"] == dt.date(2003, 5, 1)
    reasons = rejected(result)
    assert reasons[8] == ("stateid", "unknown ISO3 code 'XXA'")
    assert reasons[9] == ("treatyid", "agreement has fewer than two resolvable parties")
    assert reasons[10][0] == "force" and "impossible date" in reasons[10][1]
    assert reasons[11][0] == "stateid" and "duplicate of data row 1" in reasons[11][1]


def test_manytrade_agreement_table_points_to_memberships(resolver):
    with pytest.raises(SourceFormatError, match="memberships"):
        read_desta(FIXTURES / "manytrade_agreements_layout.csv", resolver)


def test_real_memberships(resolver):
    path = SHARED / "manytrade_desta_memberships.csv"
    if not path.is_file():
        pytest.skip("../shared/data/desta_fta not present")
    result = read_desta(path, resolver)
    assert result.rows_read == 7466
    assert result.rejects.empty
    frame = result.frames["agreements"].set_index("id")
    nafta = frame.loc["fta:desta:NRTAFT_1992A"]
    assert nafta["parties"] == ["CAN", "MEX", "USA"] and nafta["in_force"] == dt.date(1994, 1, 1)
    assert (frame["parties"].map(len) >= 2).all()
    assert len(frame) == 958
