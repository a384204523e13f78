"""CMAA / MLAT agreement lists: customsnet layout, shared seed layout, malformed files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from customsnet.etl.canonical import CANONICAL_COLUMNS, REJECT_COLUMNS, SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.agreements import read_agreements, read_cmaa, read_mlat

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="module")
def resolver() -> CountryResolver:
    return CountryResolver.embedded()


def rejects_by_row(result) -> dict[int, tuple[str, str]]:
    return {row: (f, r) for row, f, r in zip(result.rejects["row"], result.rejects["field"], result.rejects["reason"])}


def test_customsnet_layout(resolver):
    result = read_cmaa(FIXTURES / "cmaa_agreements.csv", resolver)
    assert result.layout == "customsnet:agreements"
    assert result.rows_read == 9
    frame = result.frames["agreements"].set_index("row")
    assert list(result.frames["agreements"].columns[:10]) == CANONICAL_COLUMNS["agreements"]
    assert sorted(frame.index) == [1, 2, 3]
    first = frame.loc[1]
    assert first["id"] == "cmaa:CAN-MEX:1990-03-15"
    assert first["parties"] == ["CAN", "MEX"]
    assert first["signed"] == dt.date(1990, 3, 15) and first["year_signed"] == 1990
    assert first["in_force"] == dt.date(1990, 9, 1)
    assert first["title"] == "Agreement on customs mutual assistance"
    assert frame.loc[2, "parties"] == ["BRA", "EU"]  # names resolve; EU is a party
    assert frame.loc[3, "parties"] == ["MMR", "USA"]
    assert frame.loc[3, "terminated"] == dt.date(2010, 6, 30)
    assert frame.loc[3, "signed"] is None and frame.loc[3, "id"] == "cmaa:MMR-USA:undated"


def test_bad_rows_are_rejected_with_field_and_reason(resolver):
    result = read_cmaa(FIXTURES / "cmaa_agreements.csv", resolver)
    assert list(result.rejects.columns) == REJECT_COLUMNS
    rejected = rejects_by_row(result)
    assert rejected[4] == ("country_b", "unknown country name 'Atlantis'")
    assert rejected[5][0] == "country_b" and "self-pair" in rejected[5][1]
    assert rejected[6][0] == "date_signed" and "impossible date '2019-02-30'" in rejected[6][1]
    assert rejected[7][0] == "year_signed" and "impossible year" in rejected[7][1]
    assert rejected[8][0] == "country_b" and "duplicate of data row 1" in rejected[8][1]
    assert rejected[9][0] == "year_signed" and "disagrees" in rejected[9][1]
    assert result.rows_rejected == 6 and result.rows_loaded == 3
    assert set(result.rejects["source"]) == {"cmaa"}


def test_shared_seed_layout_fixture(resolver):
    result = read_mlat(FIXTURES / "cmaa_seed_layout.csv", resolver)
    assert result.layout == "shared:cmaa_seed"
    frame = result.frames["agreements"].set_index("row")
    assert set(frame["type"]) == {"MLAT"}
    assert frame.loc[2, "parties"] == ["EU", "ZAF"] and frame.loc[2, "in_force"] == dt.date(2005, 3, 1)
    assert frame.loc[3, "date_kind"] == "exists_only" and frame.loc[3, "signed"] is None
    assert result.rejects.empty


def test_type_from_file_name_or_error(resolver, tmp_path):
    mlat = tmp_path / "my_mlat_list.csv"
    mlat.write_bytes((FIXTURES / "cmaa_seed_layout.csv").read_bytes())
    assert set(read_agreements(mlat, resolver).frames["agreements"]["type"]) == {"MLAT"}
    plain = tmp_path / "treaties.csv"
    plain.write_bytes(mlat.read_bytes())
    with pytest.raises(SourceFormatError, match="CMAAs or MLATs"):
        read_agreements(plain, resolver)


def test_missing_column_names_file_column_and_found_columns(resolver, tmp_path):
    path = tmp_path / "cmaa.csv"
    path.write_text(
        "country_a,partner,year_signed,date_signed,date_in_force,source_url\nCAN,USA,,,,\n", encoding="utf-8"
    )
    with pytest.raises(SourceFormatError) as error:
        read_cmaa(path, resolver)
    text = str(error.value)
    assert "cmaa.csv" in text and "country_b" in text and "partner" in text


def test_non_utf8_file_is_a_format_error_with_offset(resolver, tmp_path):
    path = tmp_path / "cmaa.csv"
    header = b"country_a,country_b,year_signed,date_signed,date_in_force,date_terminated,title,source_url\n"
    path.write_bytes(
        header + "CAN,USA,1984,,,,Accord Canada\u2013\xc9tats-Unis,u\n".encode("latin-1", errors="replace")
    )
    with pytest.raises(SourceFormatError, match=r"not valid UTF-8 at byte offset \d+ \(line 2\)"):
        read_cmaa(path, resolver)


def test_truncated_file_is_a_format_error(resolver, tmp_path):
    path = tmp_path / "cmaa.csv"
    text = (FIXTURES / "cmaa_agreements.csv").read_text(encoding="utf-8")
    path.write_text(text[: text.index("https://example.org/bra-eu") - 10], encoding="utf-8")
    with pytest.raises(SourceFormatError, match="truncated"):
        read_cmaa(path, resolver)


def test_unterminated_quote_is_a_format_error(resolver, tmp_path):
    path = tmp_path / "cmaa.csv"
    path.write_text(
        "country_a,country_b,year_signed,date_signed,date_in_force,date_terminated,title,source_url\n"
        'CAN,USA,1984,,,,"an unfinished title,u\nCAN,MEX,,,,,,u\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceFormatError, match="cmaa.csv"):
        read_cmaa(path, resolver)


def test_real_seed_list(resolver):
    path = SHARED / "cmaa" / "cmaa_seed_public_sources.csv"
    if not path.is_file():
        pytest.skip("../shared/data/cmaa not present")
    result = read_cmaa(path, resolver)
    assert result.layout == "shared:cmaa_seed"
    assert result.rows_read == 79
    frame = result.frames["agreements"]
    can_usa = frame[frame["id"] == "cmaa:CAN-USA:1984-06-20"].iloc[0]
    assert can_usa["signed"] == dt.date(1984, 6, 20) and can_usa["in_force"] == dt.date(1985, 1, 8)
    assert can_usa["source_url"].startswith("https://docslib.org/doc/10097711/")
    # the same undated pair reported by two sources is one agreement: the repeat is a reject
    assert set(result.rejects["reason"].str.extract(r"\((cmaa:[^)]*)\)")[0]) == {
        "cmaa:IND-ZAF:undated",
        "cmaa:EU-IND:undated",
    }
    assert len(frame) + result.rows_rejected == 79
    assert (frame["parties"].map(len) == 2).all()
