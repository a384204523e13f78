"""COW state-system membership: states2016, isard cw_system, isard COW/GW panel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customsnet.etl.canonical import CANONICAL_COLUMNS, SourceFormatError
from customsnet.etl.countries import CountryResolver
from customsnet.etl.readers.common import merge_touching_spells
from customsnet.etl.readers.cow_states import read_cow_states

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cow_state_system"


@pytest.fixture(scope="module")
def resolver() -> CountryResolver:
    return CountryResolver.embedded()


def spells(result, iso3: str) -> list[tuple]:
    frame = result.frames["membership"]
    rows = frame[frame["iso3"] == iso3]
    return [(s, None if pd.isna(u) else int(u)) for s, u in zip(rows["since"], rows["until"])]


def test_states2016_layout(resolver):
    result = read_cow_states(FIXTURES / "states2016_layout.csv", resolver)
    assert result.layout == "cow:states2016"
    assert list(result.frames["membership"].columns) == CANONICAL_COLUMNS["membership"]
    assert spells(result, "USA") == [(1816, None)]  # member at the end of the data: open-ended
    assert spells(result, "DEU") == [(1816, 1945), (1955, None)]  # 260 and 255 merged
    assert spells(result, "DDR") == [(1954, 1990)]
    assert spells(result, "YMD") == [(1967, 1990)]
    countries = result.frames["countries"].set_index("iso3")
    assert list(result.frames["countries"].columns) == CANONICAL_COLUMNS["countries"]
    assert countries.loc["DEU", "cow"] == 255 and countries.loc["DEU", "name"] == "Germany"
    assert countries["is_state"].all()


def test_states2016_rejects(resolver):
    result = read_cow_states(FIXTURES / "states2016_layout.csv", resolver)
    rejected = dict(zip(result.rejects["row"], zip(result.rejects["field"], result.rejects["reason"])))
    assert rejected[7] == ("ccode", "unknown COW code 999")
    assert rejected[8][0] == "styear" and "impossible date" in rejected[8][1]
    assert rejected[9][0] == "ccode" and "duplicate spell" in rejected[9][1]
    assert result.rows_rejected == 3


def test_isard_system_layout(resolver):
    result = read_cow_states(FIXTURES / "isard_cw_system_layout.csv", resolver)
    assert result.layout == "shared:isard_cw_system"
    assert spells(result, "CZE") == [(1918, None)]  # Czechoslovakia continues as the Czech Republic
    assert spells(result, "SVK") == [(1993, None)]
    assert spells(result, "SRB") == [(1878, None)]
    assert result.rejects.empty


def test_isard_panel_layout_builds_spells(resolver):
    result = read_cow_states(FIXTURES / "isard_cw_gw_panel_layout.csv", resolver)
    assert result.layout == "shared:isard_cw_gw_panel"
    assert spells(result, "YEM") == [(1989, None)]  # 678 then 679: one spell, last year open
    assert spells(result, "YMD") == [(1989, 1990)]
    assert spells(result, "XKX") == [(1991, None)]
    rejected = result.rejects.set_index("row")
    assert "Gleditsch-Ward-only" in rejected.loc[10, "reason"]
    assert any("share a key" in note for note in result.notes)


def test_merge_touching_spells_keeps_gaps():
    frame = pd.DataFrame(
        {
            "iso3": ["A", "A", "A", "B"],
            "since": [1900, 1911, 1950, 1900],
            "until": [1910, 1939, None, 1920],
            "row": [1, 2, 3, 4],
        }
    )
    merged = merge_touching_spells(frame, ["iso3"])
    assert list(
        zip(merged["iso3"], merged["since"], merged["until"].astype("object").where(merged["until"].notna(), None))
    ) == [("A", 1900, 1939), ("A", 1950, None), ("B", 1900, 1920)]


def test_missing_column(resolver, tmp_path):
    path = tmp_path / "states.csv"
    path.write_text(
        "stateabb,ccode,statenme,styear,stmonth,stday,endyear,endmonth\nUSA,2,USA,1816,1,1,2016,12\n", encoding="utf-8"
    )
    with pytest.raises(SourceFormatError, match=r"states.csv: missing column\(s\) \['endday'\]"):
        read_cow_states(path, resolver)


def test_real_files(resolver):
    if not SHARED.is_dir():
        pytest.skip("../shared/data/cow_state_system not present")
    states = read_cow_states(SHARED / "cow_states2016.csv", resolver)
    assert states.rows_read == 243 and states.rejects.empty
    assert spells(states, "CAN") == [(1920, None)]
    assert spells(states, "DEU") == [(1816, 1945), (1955, None)]
    system = read_cow_states(SHARED / "isard_cw_system.csv", resolver)
    assert system.frames["membership"].equals(states.frames["membership"])
    panel = read_cow_states(SHARED / "isard_cw_gw_panel_1985_2025.csv", resolver)
    assert panel.rows_read == 7723
    assert set(panel.rejects["reason"].str.slice(0, 11)) == {"no COW code"}
    assert spells(panel, "SSD") == [(2011, None)]
    assert spells(panel, "DDR") == [(1985, 1990)]
    open_2025 = panel.frames["membership"]["until"].isna().sum()
    assert 190 <= open_2025 <= 200  # ~195 states at the end of the panel
