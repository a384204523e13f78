"""The demo's publisher files: one builder per layout, and the files read back through the ETL."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customsnet.demo.files import (
    PUBLISHER_FILES,
    cow_contiguity_frame,
    cow_states_frame,
    cow_trade_frame,
    gtd_frame,
    write_publisher_files,
)
from customsnet.demo.world import DemoConfig, build_world
from customsnet.etl.countries import CountryResolver
from customsnet.etl.detect import detect_source, read_source

COW = {"DEU": 255, "FRA": 220}
COUNTRIES = pd.DataFrame({"iso3": ["DEU", "FRA"], "name": ["Germany", "France"], "entry": [1985, 1989]})


def test_states_split_where_the_cow_code_changes_in_1990():
    states = cow_states_frame(COUNTRIES, COW, last=1992)
    spells = list(states[["stateabb", "ccode", "styear", "endyear"]].itertuples(index=False, name=None))
    assert spells == [("DEU", 260, 1985, 1989), ("DEU", 255, 1990, 1992), ("FRA", 220, 1989, 1992)]
    assert states["ccode"].dtype.kind == "i"


def test_contiguity_spells_follow_both_codes_lower_code_first():
    rows = cow_contiguity_frame([("DEU", "FRA")], COUNTRIES, COW, last=1992)
    got = list(rows[["dyad", "statelab", "statehab", "begin", "end"]].itertuples(index=False, name=None))
    # the border starts when both states exist (1989); West Germany (260) until 1989, then 255
    assert got == [(220260, "FRA", "DEU", 198901, 198912), (220255, "FRA", "DEU", 199001, 199212)]


def test_trade_puts_the_lower_code_first_and_drops_pairs_without_trade():
    trade = pd.DataFrame(
        {"a": ["DEU", "DEU"], "b": ["FRA", "FRA"], "year": [1995, 1996], "flow_ab": [5.0, 0.01], "flow_ba": [2.0, 0.01]}
    )
    frame = cow_trade_frame(trade, COW, {"DEU": "Germany", "FRA": "France"})
    assert len(frame) == 1  # 1996's 0.02 in total is below the cut
    row = frame.iloc[0]
    assert (row.ccode1, row.ccode2, row.importer1, row.flow1, row.flow2) == (220, 255, "France", 2.0, 5.0)


def test_gtd_events_add_up_to_each_country_years_fatalities():
    attrs = pd.DataFrame(
        {"iso3": ["FRA", "FRA", "DEU"], "name": ["France"] * 2 + ["Germany"], "year": [2001, 2002, 1988]}
    ).assign(terror_fatalities=[7, 0, 3])
    events = gtd_frame(attrs, COW, np.random.default_rng(0))
    assert events.groupby(["country", "iyear"])["nkill"].sum().to_dict() == {(220, 2001): 7, (260, 1988): 3}
    assert events["eventid"].is_unique


@pytest.fixture(scope="module")
def small_world_files(tmp_path_factory):
    world = build_world(DemoConfig(seed=5, n_countries=15, first_year=2000, last_year=2004))
    resolver = CountryResolver.embedded()
    frame = resolver.countries_frame(list(world.countries["iso3"]))
    cow_codes = {r.iso3: int(r.cow) for r in frame.itertuples(index=False) if not pd.isna(r.cow)}
    return write_publisher_files(world, tmp_path_factory.mktemp("publisher"), cow_codes), resolver


def test_every_file_is_detected_and_read_without_rejects(small_world_files):
    paths, resolver = small_world_files
    assert set(PUBLISHER_FILES) <= set(paths)
    for source, path in paths.items():
        assert path.name == PUBLISHER_FILES.get(source, path.name)
        detected = detect_source(path)
        assert detected is not None, path.name
        result = read_source(detected, path, resolver)
        assert result.rows_read > 0 or source in ("gtd", "desta", "majors"), path.name
        assert result.rows_rejected == 0, (path.name, result.rejects.head())
