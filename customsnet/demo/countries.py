"""The demo world's countries: real ISO3 codes, names, regions, positions and land borders.

Taken from two installed packages (no network, no ``../shared``): ``country_converter`` ships a
country table (ISO3, short name, continent, UN region, UN membership year, Gleditsch-Ward code)
and ``countryinfo`` ships per-country facts including land borders (as ISO3) and a centroid.
The attribute values built on top of these are synthetic; the countries and borders are real.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd


@lru_cache(maxsize=1)
def _country_converter_table() -> pd.DataFrame:
    # Read the TSV directly: keep_default_na=False keeps Namibia's ISO2 "NA" a string.
    path = resources.files("country_converter") / "country_data.tsv"
    with resources.as_file(path) as p:
        return pd.read_csv(p, sep="\t", keep_default_na=False, dtype=str)


@lru_cache(maxsize=1)
def _countryinfo_facts() -> dict[str, dict]:
    import countryinfo

    facts: dict[str, dict] = {}
    for info in countryinfo.all_countries():
        try:
            iso3 = info.iso()["alpha3"]
            facts[iso3] = {"borders": list(info.borders() or []), "latlng": list(info.latlng() or [])}
        except Exception:  # noqa: BLE001 - a few territories lack fields; they are not UN members
            continue
    return facts


def world_countries() -> pd.DataFrame:
    """UN member states with ``iso3, name, region, continent, un_since, gw, lat, lon``.

    ``un_since`` is the UN membership year; the demo uses it as the state-system entry year
    (so e.g. the post-Soviet states enter in the early 1990s, as in COW/G-W).
    """
    cc = _country_converter_table()
    members = cc[cc["UNmember"] != ""].copy()
    facts = _countryinfo_facts()
    rows = []
    for rec in members.itertuples(index=False):
        f = facts.get(rec.ISO3, {})
        latlng = f.get("latlng") or [np.nan, np.nan]
        rows.append(
            {
                "iso3": rec.ISO3,
                "name": rec.name_short,
                "region": rec.UNregion,
                "continent": rec.continent,
                "un_since": int(float(rec.UNmember)),
                "gw": int(rec.GWcode) if rec.GWcode else None,
                "lat": float(latlng[0]) if len(latlng) > 1 else np.nan,
                "lon": float(latlng[1]) if len(latlng) > 1 else np.nan,
            }
        )
    df = pd.DataFrame(rows).sort_values("iso3").reset_index(drop=True)
    # Fill the odd missing centroid with the region's mean so distances stay defined.
    for col in ("lat", "lon"):
        df[col] = df[col].fillna(df.groupby("region")[col].transform("mean")).fillna(0.0)
    return df


def land_borders(iso3_codes: list[str]) -> list[tuple[str, str]]:
    """Unordered land-border pairs (a < b) among ``iso3_codes``, from countryinfo."""
    keep = set(iso3_codes)
    facts = _countryinfo_facts()
    pairs: set[tuple[str, str]] = set()
    for a in iso3_codes:
        for b in facts.get(a, {}).get("borders", []):
            if b in keep and b != a:
                pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def great_circle_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Pairwise great-circle distances (km) between points given in degrees."""
    la, lo = np.radians(lat), np.radians(lon)
    dlat = la[:, None] - la[None, :]
    dlon = lo[:, None] - lo[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
