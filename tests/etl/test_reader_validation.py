"""Every numeric field validated, codes whole where the publisher's are, dates inside the coverage,
names bounded (issue #14, items 7 and 8): each bad cell is a reject naming file, row and field."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from customsnet.etl.canonical import SourceFormatError
from customsnet.etl.countries import MAX_NAME_LENGTH, cached_resolver, whole_number
from customsnet.etl.readers.agreements import read_cmaa
from customsnet.etl.readers.common import MAX_FILE_BYTES_ENV, parse_numbers
from customsnet.etl.readers.contiguity import read_contiguity
from customsnet.etl.readers.trade import read_trade
from customsnet.etl.readers.unga import read_unga
from customsnet.etl.readers.vdem import read_vdem


@pytest.fixture(scope="module")
def resolver():
    return cached_resolver()


def rejects_of(result) -> dict[tuple[int, str], str]:
    """(row, field) → reason, with the file named on every reject."""
    assert set(result.rejects["file"]) <= {result.file}
    return {(int(r.row), r.field): r.reason for r in result.rejects.itertuples()}


def test_non_finite_numbers_are_bad():
    values, missing, bad = parse_numbers(pd.Series(["1.5", "inf", "-Infinity", "1e400", "NA", "x", "1e303"]))
    assert bad.tolist() == [False, True, True, True, False, True, False]
    assert missing.tolist() == [False, False, False, False, True, False, False]
    assert values.iloc[6] == 1e303  # finite as written; the trade reader rejects it after scaling


def test_trade_flows_are_finite_and_plausible_after_scaling(resolver, tmp_path):
    path = tmp_path / "cow_trade_ndy_bad.csv"
    path.write_text(
        '"ccode1","ccode2","year","flow1","flow2"\n'
        "2,20,2000,inf,1\n"  # row 1: inf
        "2,200,2000,1e303,1\n"  # row 2: overflows to inf once millions become USD
        "2,220,2000,1e400,1\n"  # row 3: not representable
        "2,255,2000,5,2e9\n"  # row 4: 2e15 USD, more than world trade
        "325.9,2,2000,1,1\n"  # row 5: a fractional COW code (was truncated to Italy)
        "20,200,2000,1.5,2.5\n",  # row 6: fine
        encoding="utf-8",
    )
    result = read_trade(path, resolver)
    rejects = rejects_of(result)
    assert rejects[(1, "flow1")] == "not a finite number"
    assert "over 1e+14 USD" in rejects[(2, "flow1")]
    assert rejects[(3, "flow1")] == "not a finite number"
    assert "over 1e+14 USD" in rejects[(4, "flow2")]
    assert rejects[(5, "ccode1")] == "COW code '325.9' is not a whole number"
    trade = result.frames["trade"]
    assert trade["row"].tolist() == [6] and trade["value"].tolist() == [4.0e6]


def test_unga_codes_must_be_whole_and_ideal_points_in_range(resolver, tmp_path):
    path = tmp_path / "idealpoints_bad.csv"
    path.write_text(
        "ccode,iso3c,countryname,year,idealpointall\n"
        "2.5,USA,United States,1990,1.2\n"  # row 1: fractional code (was truncated to USA)
        "2,USA,United States,1991,inf\n"  # row 2
        "2,USA,United States,1992,1e303\n"  # row 3: outside any ideal point scale
        "2,USA,United States,1993,1.1\n",  # row 4: fine
        encoding="utf-8",
    )
    rejects = rejects_of(result := read_unga(path, resolver))
    assert "not a whole number" in rejects[(1, "ccode")]
    assert rejects[(2, "idealpointall")] == "not a finite number"
    assert rejects[(3, "idealpointall")].startswith("value outside")
    assert result.frames["observations"]["row"].tolist() == [4]


def test_vdem_values_must_be_finite(resolver, tmp_path):
    path = tmp_path / "vdemlite_bad.csv"
    path.write_text(
        "country_name,country_text_id,country_id,year,v2x_polyarchy,v2x_civlib,v2x_corr\n"
        "France,FRA,76,1990,inf,0.5,0.5\nFrance,FRA,76,1991,0.5,1e400,0.5\nFrance,FRA,76,1992,0.5,0.5,0.5\n",
        encoding="utf-8",
    )
    rejects = rejects_of(result := read_vdem(path, resolver))
    assert rejects == {(1, "v2x_polyarchy"): "not a finite number", (2, "v2x_civlib"): "not a finite number"}
    assert sorted(set(result.frames["observations"]["row"])) == [3]


def test_a_contiguity_end_date_beyond_the_coverage_is_rejected_not_applied_to_every_border(resolver, tmp_path):
    path = tmp_path / "cow_contdir_bad.csv"
    path.write_text(
        '"ccode1","ccode2","conttype","stdate","enddate"\n'
        "2,20,1,1920-01-01,2016-12-01\n"
        "2,70,1,1920-01-01,2016-12-01\n"
        "20,200,4,1920-01-01,2016-12-01\n"
        "200,220,4,1920-01-01,1990-12-01\n"
        "220,255,1,1920-01-01,2025-12-01\n",  # row 5: ends after the data's end
        encoding="utf-8",
    )
    result = read_contiguity(path, resolver)
    rejects = rejects_of(result)
    assert (
        list(rejects) == [(5, "enddate")]
        and "after the end of the data's coverage (2016-12-01" in rejects[(5, "enddate")]
    )
    spells = result.frames["contiguity"]
    assert spells["until"].isna().sum() == 3  # the three borders of 2016 stay open-ended
    assert sorted(spells["until"].dropna().tolist()) == [1990]


def test_whole_number_codes():
    assert whole_number("255", "COW code") == (255, None)
    assert whole_number(" 255.0 ", "COW code") == (255, None)
    assert whole_number("325.9", "COW code")[1] == "COW code '325.9' is not a whole number"
    assert whole_number("inf", "COW code")[1] == "COW code 'inf' is not a whole number"
    assert whole_number("x", "COW code")[1] == "COW code 'x' is not a number"


def test_a_one_megabyte_name_is_rejected_quickly(resolver, tmp_path):
    name = "Republic of " + "x" * 1_000_000
    started = time.monotonic()
    resolution = resolver.from_code_or_name(name)
    resolve_seconds = time.monotonic() - started
    assert resolve_seconds < 1.0
    assert resolution.iso3 is None and f"over {MAX_NAME_LENGTH}" in resolution.reason
    path = tmp_path / "cmaa_long_name.csv"
    path.write_text(
        "country_a,country_b,year_signed,date_signed,date_in_force,date_terminated,title,source_url\n"
        f"{name},USA,1990,,,,,\nCAN,USA,1984,,,,,\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    result = read_cmaa(path, resolver)
    seconds = time.monotonic() - started
    rejects = rejects_of(result)
    assert list(rejects) == [(1, "country_a")] and "1000012 characters" in rejects[(1, "country_a")]
    assert len(result.frames["agreements"]) == 1
    assert seconds < 10, f"reading a file with a 1 MB name took {seconds:.1f} s"
    print(f"1 MB name: rejected by the resolver in {resolve_seconds * 1000:.1f} ms, file read in {seconds:.2f} s")


def test_a_file_over_the_size_limit_is_refused_by_name_before_reading(resolver, tmp_path, monkeypatch):
    path = tmp_path / "vdemlite_big.csv"
    path.write_text(
        "country_name,country_text_id,country_id,year,v2x_polyarchy,v2x_civlib,v2x_corr\n"
        + "France,FRA,76,1990,0.5,0.5,0.5\n" * 100,
        encoding="utf-8",
    )
    monkeypatch.setenv(MAX_FILE_BYTES_ENV, "1000")
    with pytest.raises(
        SourceFormatError, match=r"vdemlite_big.csv: .* over the .* GiB limit .*CUSTOMSNET_MAX_FILE_BYTES"
    ):
        read_vdem(path, resolver)
    monkeypatch.setenv(MAX_FILE_BYTES_ENV, str(10**6))
    assert read_vdem(Path(path), resolver).rows_read == 100
