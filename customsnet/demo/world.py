"""SYNTHETIC demo world: yearly attributes, MLAT/FTA networks and trade for real countries.

Everything generated here is synthetic and labelled so; only the countries, regions and land
borders are real (see :mod:`customsnet.demo.countries`). The generator is deterministic given
the seed. Attributes follow persistent latent processes with realistic cross-correlations:

* democracy: a latent AR(1) score per country (regional means, occasional transitions around
  1990), mapped to polyarchy; civil liberties track it closely, corruption inversely;
* UN ideal points: driven by democracy and region, persistent;
* terrorism fatalities: a country propensity with year shocks (zero-inflated counts);
* US Majors List: persistent membership of producer/transit countries;
* economic size grows over time; trade follows a gravity model (size, distance, borders, FTAs);
* MLATs and FTAs accumulate over time (FTAs include regional blocs and bilateral deals).

The CMAA network itself is simulated by :mod:`customsnet.demo.cmaa` with the TERGM sampler.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from customsnet.demo.countries import great_circle_km, land_borders, world_countries

EU_ISO3 = "EU"
# Members of the EU (and its forerunner) by the year they joined; the EU exists as a party from 1993.
EU_MEMBERS = {
    "BEL": 1958,
    "DEU": 1958,
    "FRA": 1958,
    "ITA": 1958,
    "LUX": 1958,
    "NLD": 1958,
    "DNK": 1973,
    "IRL": 1973,
    "GBR": 1973,
    "GRC": 1981,
    "ESP": 1986,
    "PRT": 1986,
    "AUT": 1995,
    "FIN": 1995,
    "SWE": 1995,
    "CYP": 2004,
    "CZE": 2004,
    "EST": 2004,
    "HUN": 2004,
    "LVA": 2004,
    "LTU": 2004,
    "MLT": 2004,
    "POL": 2004,
    "SVK": 2004,
    "SVN": 2004,
    "BGR": 2007,
    "ROU": 2007,
    "HRV": 2013,
}
EU_EXITS = {"GBR": 2020}
# Regional means of the latent democracy score (logit scale); synthetic but plausible ordering.
REGION_DEMOCRACY = {
    "Northern Europe": 2.2,
    "Western Europe": 2.2,
    "Southern Europe": 1.6,
    "Northern America": 2.0,
    "Australia and New Zealand": 2.2,
    "Eastern Europe": 0.3,
    "South America": 0.8,
    "Central America": 0.4,
    "Caribbean": 0.8,
    "Eastern Asia": 0.2,
    "South-eastern Asia": -0.4,
    "Southern Asia": -0.1,
    "Central Asia": -1.6,
    "Western Asia": -1.2,
    "Northern Africa": -1.3,
    "Western Africa": -0.4,
    "Eastern Africa": -0.6,
    "Middle Africa": -1.2,
    "Southern Africa": 0.3,
    "Melanesia": 0.2,
    "Micronesia": 0.9,
    "Polynesia": 0.9,
}
PRODUCER_REGIONS = {
    "South America",
    "Central America",
    "Caribbean",
    "South-eastern Asia",
    "Southern Asia",
    "Western Africa",
}


@dataclass
class DemoConfig:
    """Parameters of the synthetic world (everything but the CMAA model)."""

    seed: int = 20240601
    first_year: int = 1989
    last_year: int = 2020
    n_countries: int | None = None  # None: all UN members; else a seeded subset (tests)
    mlat_ties_final: int = 160
    bilateral_fta_final: int = 220


@dataclass
class World:
    """The synthetic world, in memory (long frames keyed by ISO3 and year)."""

    config: DemoConfig
    countries: pd.DataFrame  # iso3, name, region, continent, entry, gw, lat, lon (+ the EU row)
    attributes: (
        pd.DataFrame
    )  # iso3, year, polyarchy, civlib, corruption, ideal_point, terror_fatalities, majors_list, size
    borders: list[tuple[str, str]]
    mlat: pd.DataFrame  # a, b, year_signed (a < b)
    fta: pd.DataFrame  # treaty, name, year_signed, parties (list of iso3)
    trade: pd.DataFrame  # a, b, year, flow_ab, flow_ba (millions current USD; a < b)
    cmaa: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["a", "b", "year_signed"]))
    truth: dict = field(default_factory=dict)

    @property
    def years(self) -> list[int]:
        return list(range(self.config.first_year, self.config.last_year + 1))

    def members(self, year: int) -> list[str]:
        """Parties present in ``year`` (states that have entered, plus the EU from 1993)."""
        c = self.countries
        return sorted(c.loc[c["entry"] <= year, "iso3"].tolist())


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _select_countries(cfg: DemoConfig, rng: np.random.Generator) -> pd.DataFrame:
    c = world_countries()
    if cfg.n_countries is not None and cfg.n_countries < len(c):
        # Keep the big players so a small demo still has hubs.
        core = c[c["iso3"].isin(["USA", "CHN", "RUS", "DEU", "FRA", "GBR", "JPN", "IND", "BRA", "CAN"])]
        rest = c.drop(core.index)
        pick = rest.sample(n=max(cfg.n_countries - len(core), 0), random_state=int(rng.integers(2**31)))
        c = pd.concat([core, pick]).sort_values("iso3").reset_index(drop=True)
    # State-system entry: UN membership year, but never before the demo's first year.
    c["entry"] = np.maximum(c["un_since"].to_numpy(), cfg.first_year)
    return c


def _attributes(c: pd.DataFrame, years: list[int], rng: np.random.Generator) -> pd.DataFrame:
    n, T = len(c), len(years)
    mu = np.array([REGION_DEMOCRACY.get(r, 0.0) for r in c["region"]]) + rng.normal(0, 0.9, n)
    # Third-wave transitions: some autocracies democratise in the early 1990s.
    transition = (mu < 0.5) & (rng.random(n) < 0.3)
    z = np.empty((T, n))
    z[0] = mu - np.where(transition, 1.2, 0.0) + rng.normal(0, 0.4, n)
    for t in range(1, T):
        target = mu + np.where(transition & (years[t] < 1994), -1.2 + 0.3 * (years[t] - years[0]), 0.0)
        z[t] = target + 0.85 * (z[t - 1] - target) + rng.normal(0, 0.15, n)
    polyarchy = np.round(0.02 + 0.9 * _logistic(z - 0.3), 3)
    civlib = np.round(np.clip(_logistic(1.05 * z + 0.4 + rng.normal(0, 0.2, (T, n))), 0.01, 0.99), 3)
    corruption = np.round(np.clip(_logistic(-0.9 * z + 0.3 + rng.normal(0, 0.25, (T, n))), 0.01, 0.99), 3)
    west = (
        c["region"]
        .isin(["Northern Europe", "Western Europe", "Northern America", "Australia and New Zealand"])
        .to_numpy()
    )
    ip_mu = 0.55 * mu + np.where(west, 1.2, -0.4) + rng.normal(0, 0.4, n)
    ip = np.empty((T, n))
    ip[0] = ip_mu
    for t in range(1, T):
        ip[t] = ip_mu + 0.9 * (ip[t - 1] - ip_mu) + rng.normal(0, 0.08, n)
    ip = np.round(ip, 4)
    risk = rng.gamma(0.6, 1.0, n) * np.where(mu < 0.5, 3.0, 0.7)
    shocks = rng.gamma(0.8, 1.0, (T, n))
    lam = risk * shocks * 4.0
    active = rng.random((T, n)) < np.clip(0.15 + 0.25 * risk, 0.0, 0.9)
    fatalities = np.where(active, rng.poisson(lam), 0)
    producer = c["region"].isin(PRODUCER_REGIONS).to_numpy() & (rng.random(n) < 0.35)
    majors = np.zeros((T, n), dtype=int)
    state = producer.copy()
    for t in range(T):
        flip = rng.random(n) < 0.05
        state = np.where(flip, ~state & producer | (rng.random(n) < 0.01), state)
        majors[t] = state
    size0 = rng.normal(0.0, 1.4, n) + np.where(west, 1.5, 0.0)
    for big, bump in {"USA": 3.5, "CHN": 2.5, "JPN": 2.5, "DEU": 2.2, "GBR": 1.8, "FRA": 1.8, "IND": 1.5}.items():
        size0[c["iso3"].to_numpy() == big] += bump
    growth = rng.normal(0.035, 0.015, n)
    size = size0[None, :] + growth[None, :] * np.arange(T)[:, None]
    rows = {
        "iso3": np.tile(c["iso3"].to_numpy(), T),
        "year": np.repeat(years, n),
        "polyarchy": polyarchy.ravel(),
        "civlib": civlib.ravel(),
        "corruption": corruption.ravel(),
        "ideal_point": ip.ravel(),
        "terror_fatalities": fatalities.ravel(),
        "majors_list": majors.ravel(),
        "size": size.ravel(),
    }
    df = pd.DataFrame(rows)
    entry = dict(zip(c["iso3"], c["entry"]))
    return df[df["year"] >= df["iso3"].map(entry)].reset_index(drop=True)


def _accumulating_ties(
    score: np.ndarray,
    years: list[int],
    final_ties: int,
    start_share: float,
    rng: np.random.Generator,
    alive: np.ndarray,
) -> list[tuple[int, int, int]]:
    """Draw ties that form over time: pair (i, j) forms with hazard proportional to exp(score)."""
    n = score.shape[0]
    iu, ju = np.triu_indices(n, 1)
    weights = np.exp(score[iu, ju] - score[iu, ju].max())
    order_key = rng.exponential(1.0, len(iu)) / weights  # earliest "arrival" for the strongest pairs
    chosen = np.argsort(order_key)[:final_ties]
    # Arrival years: a share exists at the start, the rest spreads over the years, never before entry.
    T = len(years)
    ranks = np.argsort(np.argsort(order_key[chosen]))
    frac = ranks / max(len(chosen) - 1, 1)
    t_idx = np.where(frac < start_share, 0, np.ceil((frac - start_share) / (1 - start_share) * (T - 1))).astype(int)
    out = []
    for k, t in zip(chosen, t_idx):
        i, j = int(iu[k]), int(ju[k])
        t0 = max(int(t), int(alive[i]), int(alive[j]))
        if t0 < T:
            out.append((i, j, years[t0]))
    return out


def build_world(config: DemoConfig | None = None) -> World:
    """Generate the synthetic world (without CMAAs) deterministically from ``config.seed``."""
    cfg = config or DemoConfig()
    rng = np.random.default_rng(cfg.seed)
    years = list(range(cfg.first_year, cfg.last_year + 1))
    c = _select_countries(cfg, rng)
    attrs = _attributes(c, years, rng)
    iso = c["iso3"].to_numpy()
    n = len(iso)
    idx = {a: k for k, a in enumerate(iso)}
    alive = np.array([y - years[0] for y in c["entry"]])
    borders = land_borders(list(iso))
    contig = np.zeros((n, n))
    for a, b in borders:
        contig[idx[a], idx[b]] = contig[idx[b], idx[a]] = 1.0
    dist = great_circle_km(c["lat"].to_numpy(), c["lon"].to_numpy())
    logd = np.log1p(dist / 100.0)
    first = attrs[attrs["year"] == attrs.groupby("iso3")["year"].transform("min")].set_index("iso3")
    size = first["size"].reindex(iso).to_numpy()
    dem = first["polyarchy"].reindex(iso).to_numpy()

    # MLATs: between large, democratic states, US-centred (the US is the main MLAT signatory).
    us = (iso == "USA").astype(float)
    mlat_score = (
        0.5 * (size[:, None] + size[None, :])
        + 2.0 * (dem[:, None] + dem[None, :])
        + 2.5 * (us[:, None] + us[None, :])
        - 0.3 * logd
    )
    mlat = _accumulating_ties(mlat_score, years, cfg.mlat_ties_final, 0.25, rng, alive)
    mlat_df = pd.DataFrame([(iso[i], iso[j], y) for i, j, y in mlat], columns=["a", "b", "year_signed"])

    # FTAs: regional blocs (plurilateral) plus bilateral deals driven by trade potential and borders.
    ftas = []
    bloc_regions = [
        "South America",
        "Central America",
        "Western Africa",
        "South-eastern Asia",
        "Eastern Africa",
        "Southern Africa",
        "Caribbean",
    ]
    for k, region in enumerate(bloc_regions):
        members = c.loc[c["region"] == region, "iso3"].tolist()
        if len(members) >= 3:
            start = int(rng.integers(1991, 2008))
            ftas.append(
                {
                    "treaty": f"DEMO-BLOC-{k + 1}",
                    "name": f"Synthetic {region} Free Trade Area",
                    "year_signed": start,
                    "parties": sorted(members),
                }
            )
    fta_score = 0.6 * (size[:, None] + size[None, :]) + 1.5 * contig - 0.5 * logd
    for i, j, y in _accumulating_ties(fta_score, years, cfg.bilateral_fta_final, 0.1, rng, alive):
        ftas.append(
            {
                "treaty": f"DEMO-BIL-{iso[i]}-{iso[j]}-{y}",
                "name": f"Synthetic FTA {iso[i]}-{iso[j]}",
                "year_signed": y,
                "parties": [iso[i], iso[j]],
            }
        )
    fta_df = pd.DataFrame(ftas)

    # Trade: gravity (sizes, distance, borders, FTAs), flows in millions of current USD.
    fta_year = np.full((n, n), np.inf)
    for rec in ftas:
        p = [idx[a] for a in rec["parties"] if a in idx]
        for a in p:
            for b in p:
                if a != b:
                    fta_year[a, b] = min(fta_year[a, b], rec["year_signed"])
    sizes = attrs.pivot(index="year", columns="iso3", values="size").reindex(columns=iso)
    iu, ju = np.triu_indices(n, 1)
    pair_effect = rng.normal(0, 0.8, len(iu))
    trade_rows = []
    for year in years:
        s = sizes.loc[year].to_numpy()
        ok = ~np.isnan(s[iu]) & ~np.isnan(s[ju])
        log_flow = (
            1.0
            + 1.1 * (s[iu] + s[ju])
            - 1.1 * logd[iu, ju]
            + 0.8 * contig[iu, ju]
            + 0.4 * (fta_year[iu, ju] <= year)
            + pair_effect
        )
        flow = np.exp(log_flow + rng.normal(0, 0.3, len(iu)))
        zero = rng.random(len(iu)) < _logistic(-1.5 - log_flow)  # small pairs often do not trade
        flow = np.where(zero, 0.0, flow)
        share = _logistic(rng.normal(0, 0.5, len(iu)))
        keep = ok
        trade_rows.append(
            pd.DataFrame(
                {
                    "a": iso[iu[keep]],
                    "b": iso[ju[keep]],
                    "year": year,
                    "flow_ab": np.round(flow[keep] * share[keep], 3),
                    "flow_ba": np.round(flow[keep] * (1 - share[keep]), 3),
                }
            )
        )
    trade_df = pd.concat(trade_rows, ignore_index=True)

    # The EU: a party from 1993, with attributes averaged over its members (synthetic, labelled).
    eu_row = pd.DataFrame(
        [
            {
                "iso3": EU_ISO3,
                "name": "European Union",
                "region": "Europe",
                "continent": "Europe",
                "un_since": 1993,
                "gw": None,
                "lat": 50.8,
                "lon": 4.4,
                "entry": 1993,
            }
        ]
    )
    countries = pd.concat([c, eu_row], ignore_index=True)
    eu_attrs = (
        attrs[attrs["iso3"].isin(EU_MEMBERS) & (attrs["year"] >= 1993)]
        .groupby("year", as_index=False)[["polyarchy", "civlib", "corruption", "ideal_point", "size"]]
        .mean()
        .round(4)
    )
    eu_attrs["iso3"] = EU_ISO3
    eu_attrs["terror_fatalities"] = 0
    eu_attrs["majors_list"] = 0
    attrs = pd.concat([attrs, eu_attrs[attrs.columns]], ignore_index=True)
    return World(
        config=cfg, countries=countries, attributes=attrs, borders=borders, mlat=mlat_df, fta=fta_df, trade=trade_df
    )
