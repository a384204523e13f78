"""Bilateral trade: COW Dyadic Trade 4.0 (publisher and shared copy) and BACI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customsnet.etl.canonical import CANONICAL_COLUMNS, SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.trade import read_trade

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cow_dyadic_trade"


@pytest.fixture(scope="module")
def resolver() -> CountryResolver:
    return CountryResolver.embedded()


def by_pair(result) -> pd.DataFrame:
    return result.frames["trade"].set_index(["iso1", "iso2", "year"])


def test_cow_publisher_layout(resolver):
    result = read_trade(FIXTURES / "Dyadic_COW_4.0_fixture.csv", resolver)
    assert result.layout == "publisher:Dyadic_COW_4.0"
    assert list(result.frames["trade"].columns[:7]) == CANONICAL_COLUMNS["trade"]
    trade = by_pair(result)
    can_usa = trade.loc[("CAN", "USA", 2000)]
    # ccode1 = USA: flows swap with the order; millions → USD
    assert can_usa["flow1"] == 180.25e6 and can_usa["flow2"] == 230.5e6 and can_usa["value"] == 410.75e6
    mex_usa = trade.loc[("MEX", "USA", 2000)]
    assert mex_usa["value"] == 100e6 and pd.isna(mex_usa["flow2"]) and mex_usa["flows_reported"] == 1
    assert trade.loc[("CAN", "FRA", 2000), "value"] == 0.0  # reported zero trade is zero
    assert ("GBR", "USA", 2000) not in trade.index  # −9 both ways: no information, left out
    rejected = {
        r: (f, why) for r, f, why in zip(result.rejects["row"], result.rejects["field"], result.rejects["reason"])
    }
    assert rejected[4][0] == "ccode2" and "self-pair" in rejected[4][1]  # 260 and 255 are both DEU
    assert rejected[5] == ("ccode2", "unknown COW code 999")
    assert rejected[6] == ("flow1", "not a finite number")
    assert rejected[7][0] == "year" and "duplicate dyad-year CAN/USA/2000" in rejected[7][1]


def test_one_flow_missing_policy(resolver):
    result = read_trade(FIXTURES / "cow_trade_ndy_layout.csv", resolver, one_flow_missing="missing")
    assert result.layout == "shared:cow_trade_ndy"
    trade = by_pair(result)
    assert pd.isna(trade.loc[("MEX", "USA", 2000), "value"])
    assert trade.loc[("CAN", "USA", 2001), "value"] == 30e6
    with pytest.raises(ValueError, match="one_flow_missing"):
        read_trade(FIXTURES / "cow_trade_ndy_layout.csv", resolver, one_flow_missing="zero")


def test_baci_streamed_and_summed(resolver):
    result = read_trade(FIXTURES / "baci" / "BACI_HS92_Y2019_V202401.csv", resolver, chunksize=3)
    assert result.layout == "publisher:BACI:country_codes_V202401.csv"
    assert result.source == "baci"
    trade = by_pair(result)
    assert set(trade.index) == {("BRA", "USA", 2019), ("FRA", "USA", 2019), ("TWN", "USA", 2019)}
    bra_usa = trade.loc[("BRA", "USA", 2019)]
    # flow1 = imports of BRA from USA (two products, thousands → USD); flow2 = imports of USA
    assert bra_usa["flow1"] == pytest.approx(150_500.0)
    assert bra_usa["flow2"] == pytest.approx(2_000_000.0)
    assert bra_usa["value"] == pytest.approx(2_150_500.0)
    assert trade.loc[("FRA", "USA", 2019), "value"] == pytest.approx(310_000.0)
    # 490 "Other Asia, nes" is Taiwan (Comtrade convention); BACI's absent direction is zero
    taiwan = trade.loc[("TWN", "USA", 2019)]
    assert taiwan["flow1"] == 0.0 and taiwan["flow2"] == pytest.approx(5_000.0)
    assert any("Taiwan" in note for note in result.notes)
    rejected = {
        r: (f, why) for r, f, why in zip(result.rejects["row"], result.rejects["field"], result.rejects["reason"])
    }
    assert rejected[7][0] == "v"
    assert rejected[8] == ("i", "unknown ISO3 code 'N/A' (BACI code 899)")
    assert rejected[9][0] == "i" and "self-pair" in rejected[9][1]
    assert result.rows_rejected == 3


def test_baci_without_country_codes_file(resolver, tmp_path):
    path = tmp_path / "BACI_HS92_Y2019_V202401.csv"
    path.write_bytes((FIXTURES / "baci" / "BACI_HS92_Y2019_V202401.csv").read_bytes())
    with pytest.raises(SourceFormatError, match="country_codes_V<release>.csv"):
        read_trade(path, resolver)


def test_truncated_trade_file(resolver, tmp_path):
    path = tmp_path / "cow.csv"
    path.write_text('"ccode1","ccode2","year","flow1","flow2"\n2,20,2000,1,2\n2,70,20', encoding="utf-8")
    with pytest.raises(
        SourceFormatError, match=r"cow.csv: truncated file: last line 3 \(data row 2\) has 3 of 5 fields"
    ):
        read_trade(path, resolver)


def test_real_cow_copy(resolver):
    path = SHARED / "cow_trade_ndy_v4_1985_2014.csv"
    if not path.is_file():
        pytest.skip("../shared/data/cow_dyadic_trade not present")
    result = read_trade(path, resolver)
    assert result.rows_read == 406576
    trade = by_pair(result)
    # 1985 row: USA imports from Canada 69,427 and Canada imports from USA 59,465 (millions)
    assert trade.loc[("CAN", "USA", 1985), "flow1"] == 59_465e6
    assert trade.loc[("CAN", "USA", 1985), "flow2"] == 69_427e6
    # only the 1990 Yemen pairs reported under both 678 and 679 are duplicates
    assert set(result.rejects["reason"].str.slice(0, 19)) == {"duplicate dyad-year"}
    assert result.rows_rejected == 2
