"""Write the SYNTHETIC demo world as files in the publishers' own layouts.

The demo then loads these files through the same ETL readers as real downloads, so ``make
demo`` exercises the real path. Every file name carries ``SYNTHETIC`` and every source URL
points to ``synthetic://customsnet-demo`` so the data can never be mistaken for real data.

Layouts (see ``../shared/spec/data-sources.md``): COW states2016, COW contdir spells, COW dyadic
trade 4.0, V-Dem CY Core, UNGA ideal points (Dataverse), GTD events, DESTA dyads, US Majors
List (customsnet CSV), CMAA and MLAT lists (customsnet agreement CSV).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from customsnet.demo.world import EU_ISO3, World

SYNTHETIC_URL = "synthetic://customsnet-demo"
# COW codes that changed at unification in 1990: the code in use before 1990 (COW's own coding)
COW_BEFORE_1990 = {"DEU": 260, "YEM": 678}


def cow_codes_by_year(cow: dict[str, int], iso3: np.ndarray, year: np.ndarray) -> np.ndarray:
    """COW code of each (iso3, year): the current code, or the pre-1990 one where COW used another."""
    codes = np.array([cow.get(a, -1) for a in iso3], dtype=np.int64)
    for a, old in COW_BEFORE_1990.items():
        codes[(iso3 == a) & (year < 1990)] = old
    return codes


def _split_at_1990(iso3: str, start: int, end: int, cow: dict[str, int]) -> list[tuple[int, int, int]]:
    """(code, first year, last year) pieces of a spell, split where the state's COW code changes."""
    if iso3 in COW_BEFORE_1990 and start < 1990:
        return [(COW_BEFORE_1990[iso3], start, min(end, 1989))] + ([(cow[iso3], 1990, end)] if end >= 1990 else [])
    return [(cow[iso3], start, end)]


def _iso_to_cow(world: World, cow_codes: dict[str, int]) -> dict[str, int]:
    """COW code per ISO3 (from the resolver's table; G-W code as fallback)."""
    out = {}
    for rec in world.countries.itertuples(index=False):
        if rec.iso3 == EU_ISO3:
            continue
        code = cow_codes.get(rec.iso3)
        if code is None and rec.gw is not None and not (isinstance(rec.gw, float) and np.isnan(rec.gw)):
            code = int(rec.gw)
        if code is not None:
            out[rec.iso3] = int(code)
    return out


def _agreement_csv(pairs: pd.DataFrame, kind: str, rng: np.random.Generator) -> pd.DataFrame:
    month = rng.integers(1, 13, len(pairs))
    day = rng.integers(1, 29, len(pairs))
    lag_days = rng.integers(60, 700, len(pairs))
    signed = pd.to_datetime({"year": pairs["year_signed"].to_numpy(), "month": month, "day": day})
    in_force = signed + pd.to_timedelta(lag_days, unit="D")
    return pd.DataFrame(
        {
            "country_a": pairs["a"].to_numpy(),
            "country_b": pairs["b"].to_numpy(),
            "year_signed": pairs["year_signed"].to_numpy(),
            "date_signed": signed.dt.strftime("%Y-%m-%d").to_numpy(),
            "date_in_force": in_force.dt.strftime("%Y-%m-%d").to_numpy(),
            "date_terminated": "",
            "title": [f"SYNTHETIC {kind} {a}-{b}" for a, b in zip(pairs["a"], pairs["b"])],
            "source_url": SYNTHETIC_URL,
        }
    )


def write_cmaa_file(world: World, out_dir: str | Path) -> Path:
    """The simulated CMAA list in customsnet's agreement layout (``SYNTHETIC_cmaa.csv``)."""
    path = Path(out_dir) / "SYNTHETIC_cmaa.csv"
    _agreement_csv(world.cmaa, "CMAA", np.random.default_rng(world.config.seed + 11)).to_csv(path, index=False)
    return path


# Publisher file of each source, in the order written (the GTD and MLAT files draw from one generator)
PUBLISHER_FILES = {
    "cow_states": "SYNTHETIC_states2016.csv",
    "contiguity": "SYNTHETIC_contdir.csv",
    "trade": "SYNTHETIC_Dyadic_COW_4.0.csv",
    "vdem": "SYNTHETIC_V-Dem-CY-Core-v14.csv",
    "unga": "SYNTHETIC_IdealpointestimatesAll.csv",
    "gtd": "SYNTHETIC_globalterrorismdb_demo.csv",
    "desta": "SYNTHETIC_desta_list_of_treaties_02_02_dyads.csv",
    "majors": "SYNTHETIC_us_majors_list.csv",
    "mlat": "SYNTHETIC_mlat.csv",
}
GTD_COLUMNS = ["eventid", "iyear", "imonth", "iday", "country", "country_txt", "nkill", "nwound"]


def write_publisher_files(world: World, out_dir: str | Path, cow_codes: dict[str, int]) -> dict[str, Path]:
    """Write every demo source file; returns ``{source name: path}``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(world.config.seed + 7)
    cow = _iso_to_cow(world, cow_codes)
    countries = world.countries[world.countries["iso3"] != EU_ISO3]
    last = world.config.last_year
    attrs = world.attributes.merge(world.countries[["iso3", "name"]], on="iso3")
    states_attrs = attrs[attrs["iso3"] != EU_ISO3]
    # built in PUBLISHER_FILES order: GTD draws from ``rng`` before MLAT does
    frames = {
        "cow_states": cow_states_frame(countries, cow, last),
        "contiguity": cow_contiguity_frame(world.borders, countries, cow, last),
        "trade": cow_trade_frame(world.trade, cow, dict(zip(countries["iso3"], countries["name"]))),
        "vdem": vdem_frame(states_attrs, cow),
        "unga": unga_frame(states_attrs, cow),
        "gtd": gtd_frame(states_attrs, cow, rng),
        "desta": desta_frame(world.fta, dict(zip(world.countries["iso3"], world.countries["name"]))),
        "majors": majors_frame(states_attrs),
        "mlat": _agreement_csv(world.mlat, "MLAT", rng),
    }
    paths: dict[str, Path] = {}
    for source, frame in frames.items():
        paths[source] = out / PUBLISHER_FILES[source]
        frame.to_csv(paths[source], index=False)
    if len(world.cmaa):
        paths["cmaa"] = write_cmaa_file(world, out)
    (out / "README.txt").write_text(
        "SYNTHETIC DATA generated by `customsnet demo` (seed "
        f"{world.config.seed}). Countries, regions and land borders are real; every value is simulated.\n",
        encoding="utf-8",
    )
    return paths


def cow_states_frame(countries: pd.DataFrame, cow: dict[str, int], last: int) -> pd.DataFrame:
    """COW state system (states2016 layout): one spell per state and code, entry year to ``last``."""
    spells = []
    for rec in countries.itertuples(index=False):
        if rec.iso3 not in cow:
            continue
        for code, first, last_year in _split_at_1990(rec.iso3, int(rec.entry), last, cow):
            spells.append(
                {
                    "stateabb": rec.iso3,
                    "ccode": code,
                    "statenme": rec.name,
                    "styear": first,
                    "stmonth": 1,
                    "stday": 1,
                    "endyear": last_year,
                    "endmonth": 12,
                    "endday": 31,
                    "version": 2016,
                }
            )
    states = pd.DataFrame(spells)
    states["ccode"] = states["ccode"].astype(int)
    return states


def cow_contiguity_frame(
    borders: list[tuple[str, str]], countries: pd.DataFrame, cow: dict[str, int], last: int
) -> pd.DataFrame:
    """COW direct contiguity, spell file (contdir layout): land borders, YYYYMM dates, low code first."""
    rows = []
    for a, b in borders:
        if a not in cow or b not in cow:
            continue
        start = max(
            int(countries.loc[countries["iso3"] == a, "entry"].iloc[0]),
            int(countries.loc[countries["iso3"] == b, "entry"].iloc[0]),
        )
        for code_a, fa, la in _split_at_1990(a, start, last, cow):
            for code_b, fb, lb in _split_at_1990(b, start, last, cow):
                first, final = max(fa, fb), min(la, lb)
                if first > final:
                    continue
                lo, hi = sorted([(code_a, a), (code_b, b)])
                rows.append(
                    {
                        "dyad": lo[0] * 1000 + hi[0],
                        "statelno": lo[0],
                        "statelab": lo[1],
                        "statehno": hi[0],
                        "statehab": hi[1],
                        "conttype": 1,
                        "begin": first * 100 + 1,
                        "end": final * 100 + 12,
                        "version": 3.2,
                    }
                )
    return pd.DataFrame(rows)


def cow_trade_frame(trade: pd.DataFrame, cow: dict[str, int], state_names: dict[str, str]) -> pd.DataFrame:
    """COW dyadic trade 4.0 layout: flows in millions of current USD, lower code as ``ccode1``."""
    t = trade[trade["a"].isin(cow) & trade["b"].isin(cow)]
    ca = cow_codes_by_year(cow, t["a"].to_numpy(), t["year"].to_numpy())
    cb = cow_codes_by_year(cow, t["b"].to_numpy(), t["year"].to_numpy())
    swap = ca > cb
    flow1 = np.where(swap, t["flow_ba"], t["flow_ab"])
    flow2 = np.where(swap, t["flow_ab"], t["flow_ba"])
    frame = pd.DataFrame(
        {
            "ccode1": np.minimum(ca, cb),
            "ccode2": np.maximum(ca, cb),
            "year": t["year"].to_numpy(),
            "importer1": pd.Series(np.where(swap, t["b"], t["a"])).map(state_names).to_numpy(),
            "importer2": pd.Series(np.where(swap, t["a"], t["b"])).map(state_names).to_numpy(),
            "flow1": np.round(flow1, 2),
            "flow2": np.round(flow2, 2),
            "smoothflow1": np.round(flow1, 2),
            "smoothflow2": np.round(flow2, 2),
            "version": 4.0,
        }
    )
    # Drop pairs that never trade, as the files are large otherwise; a missing row means no record.
    return frame[(frame["flow1"] + frame["flow2"]) > 0.05]


def vdem_frame(states_attrs: pd.DataFrame, cow: dict[str, int]) -> pd.DataFrame:
    """V-Dem CY Core layout (only the needed columns and a few of the usual identifiers)."""
    return pd.DataFrame(
        {
            "country_name": states_attrs["name"].to_numpy(),
            "country_text_id": states_attrs["iso3"].to_numpy(),
            "country_id": states_attrs["iso3"].map({k: i + 1 for i, k in enumerate(sorted(cow))}).to_numpy(),
            "year": states_attrs["year"].to_numpy(),
            "historical_date": [f"{y}-12-31" for y in states_attrs["year"]],
            "COWcode": cow_codes_by_year(cow, states_attrs["iso3"].to_numpy(), states_attrs["year"].to_numpy()),
            "v2x_polyarchy": states_attrs["polyarchy"].to_numpy(),
            "v2x_civlib": states_attrs["civlib"].to_numpy(),
            "v2x_corr": states_attrs["corruption"].to_numpy(),
        }
    )


def unga_frame(states_attrs: pd.DataFrame, cow: dict[str, int]) -> pd.DataFrame:
    """UNGA ideal points (Dataverse layout: session = year - 1945)."""
    return pd.DataFrame(
        {
            "ccode": cow_codes_by_year(cow, states_attrs["iso3"].to_numpy(), states_attrs["year"].to_numpy()),
            "session": states_attrs["year"].to_numpy() - 1945,
            "IdealPointAll": states_attrs["ideal_point"].to_numpy(),
            "Countryname": states_attrs["name"].to_numpy(),
            "iso3c": states_attrs["iso3"].to_numpy(),
        }
    )


def gtd_frame(states_attrs: pd.DataFrame, cow: dict[str, int], rng: np.random.Generator) -> pd.DataFrame:
    """GTD event file: each country-year's fatalities split over one to five incidents."""
    events = []
    eid = 0
    for rec in states_attrs[states_attrs["terror_fatalities"] > 0].itertuples(index=False):
        k = int(min(rec.terror_fatalities, rng.integers(1, 6)))
        parts = rng.multinomial(int(rec.terror_fatalities), np.ones(k) / k)
        for nk in parts:
            eid += 1
            events.append(
                {
                    "eventid": rec.year * 10**6 + eid,
                    "iyear": rec.year,
                    "imonth": int(rng.integers(1, 13)),
                    "iday": int(rng.integers(1, 29)),
                    "country": int(cow_codes_by_year(cow, np.array([rec.iso3]), np.array([rec.year]))[0]),
                    "country_txt": rec.name,
                    "nkill": int(nk),
                    "nwound": int(rng.poisson(nk * 1.5)),
                }
            )
    return pd.DataFrame(events, columns=GTD_COLUMNS)


def desta_frame(fta: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """DESTA dyadic list: one row per pair of (non-EU) parties of each treaty."""
    rows = []
    for rec in fta.itertuples(index=False):
        parties = [p for p in rec.parties if p != EU_ISO3]
        for i in range(len(parties)):
            for j in range(i + 1, len(parties)):
                rows.append(
                    {
                        "base_treaty": rec.treaty,
                        "name": f"SYNTHETIC {rec.name}",
                        "entry_type": "base_treaty",
                        "typememb": 1 if len(parties) == 2 else 3,
                        "country1": names[parties[i]],
                        "country2": names[parties[j]],
                        "iso1": parties[i],
                        "iso2": parties[j],
                        "year": rec.year_signed,
                        "entryforceyear": rec.year_signed + 1,
                    }
                )
    return pd.DataFrame(rows)


def majors_frame(states_attrs: pd.DataFrame) -> pd.DataFrame:
    """US Majors List (customsnet CSV): fiscal year t determined in September of t-1."""
    mj = states_attrs[states_attrs["majors_list"] == 1]
    return pd.DataFrame(
        {
            "fiscal_year": mj["year"].to_numpy(),
            "country": mj["name"].to_numpy(),
            "determination_date": [f"{y - 1}-09-15" for y in mj["year"]],
            "source_url": SYNTHETIC_URL,
        }
    )
