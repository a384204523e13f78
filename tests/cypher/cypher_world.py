"""A small hand-made graph (docs/graph-model.md) whose query answers are worked out by hand.

Countries: BEL, CAN, CIV ("Côte d'Ivoire": a name with a quote), DNK, EGY (leaves the state
system after 2002), FIN (no CMAA), GHA (enters in 2001), EU (spell from 1993). Years 2000-2003.

CMAA ties (since -> until, exclusive):
    BEL-CAN 1998 and again 2002 (a second agreement for the same pair)
    BEL-CIV 2000          BEL-DNK 2001 -> 2003 (terminated: in place 2001, 2002)
    CAN-DNK 2001          CIV-DNK 2002          BEL-EU 2002 (in force 2003)
    DNK-EU 2003           CAN-GHA 2000 (GHA not a member in 2000)      CIV-EGY 2003
    CAN-EU (no dates)
MLAT: BEL-CAN 1999, CAN-FIN 2000 -> 2001 and again 2003, DNK-EGY 2002, BEL-CIV 2003.   FTA: BEL-DNK 1995, BEL-FIN 1995.
"""

from __future__ import annotations

from customsnet.graph.connection import Graph

COUNTRIES = [
    ("BEL", 211, "Belgium"),
    ("CAN", 20, "Canada"),
    ("CIV", 437, "Côte d'Ivoire"),
    ("DNK", 390, "Denmark"),
    ("EGY", 651, "Egypt"),
    ("FIN", 375, "Finland"),
    ("GHA", 452, "Ghana"),
    ("EU", None, "European Union"),
]
SPELLS = {"GHA": (2001, None), "EU": (1993, None), "EGY": (1816, 2002)}  # others: (1816, None)
# spells from a second state-system source: overlapping (BEL, EGY) or touching (GHA) the first;
# they must change nothing (a country-year is a member or not)
EXTRA_SPELLS = [("BEL", 1950, None), ("EGY", 1900, 2001), ("GHA", 2001, 2001), ("GHA", 2002, None)]

# (a, b, since, in_force, until, agreement) with a < b
CMAA = [
    ("BEL", "CAN", 1998, 1999, None, "cmaa-1"),
    ("BEL", "CAN", 2002, 2002, None, "cmaa-2"),
    ("BEL", "CIV", 2000, 2001, None, "cmaa-3"),
    ("BEL", "DNK", 2001, 2001, 2003, "cmaa-4"),
    ("CAN", "DNK", 2001, 2002, None, "cmaa-5"),
    ("CIV", "DNK", 2002, None, None, "cmaa-6"),
    ("BEL", "EU", 2002, 2003, None, "cmaa-7"),
    ("DNK", "EU", 2003, 2003, None, "cmaa-8"),
    ("CAN", "GHA", 2000, 2000, None, "cmaa-9"),
    ("CIV", "EGY", 2003, 2003, None, "cmaa-10"),
    ("CAN", "EU", None, None, None, "cmaa-11"),  # signing year unknown: in no year's network
]
MLAT = [
    ("BEL", "CAN", 1999, 1999, None, "mlat-1"),
    ("CAN", "FIN", 2000, 2000, 2001, "mlat-2"),
    ("CAN", "FIN", 2003, 2003, None, "mlat-5"),
    ("DNK", "EGY", 2002, 2002, None, "mlat-3"),
    ("BEL", "CIV", 2003, 2003, None, "mlat-4"),
]
FTA = [("BEL", "DNK", 1995, 1995, None, "fta-1"), ("BEL", "FIN", 1995, 1995, None, "fta-2")]

# polyarchy 1999-2002 for everyone except GHA 2000 and EGY 2001; value = code-dependent, year-dependent
POLYARCHY_GAPS = {("GHA", 2000), ("EGY", 2001)}


def polyarchy(iso3: str, year: int) -> float:
    return round(0.1 * (COUNTRIES.index(next(c for c in COUNTRIES if c[0] == iso3)) + 1) + 0.01 * (year - 1999), 4)


# a second source for two country-years: FIN 2000 differs (+0.2), CAN 2000 agrees
SECOND_SOURCE = [("FIN", 2000, 0.2), ("CAN", 2000, 0.0)]

# GTD-style: only country-years with fatalities; no record at all in 2001 (year not covered)
TERROR = [("BEL", 1999, 2.0), ("EGY", 1999, 10.0), ("EGY", 2000, 5.0), ("CIV", 2002, 3.0)]
# trade 1999-2001 for a few dyads (current USD); no trade data for 2002
TRADE = [("BEL", "CAN", y, 1000.0 * (y - 1998)) for y in (1999, 2000, 2001)] + [
    ("BEL", "DNK", y, 50.0) for y in (1999, 2000, 2001)
]
# contiguity: land BEL-FIN (fictional) until 2001; water DNK-FIN (type 3)
CONTIGUITY = [("BEL", "FIN", 1, 1816, 2001), ("DNK", "FIN", 3, 1816, 2001)]


def write_world(graph: Graph) -> None:
    """Write the world with plain UNWIND/CREATE Cypher, following docs/graph-model.md."""
    graph.write(
        "UNWIND $rows AS row CREATE (:Country {iso3: row[0], cow: row[1], name: row[2], region: 'X', "
        "is_state: row[0] <> 'EU'})",
        rows=[list(c) for c in COUNTRIES],
    )
    graph.write(
        "CREATE (s:System {name: 'interstate'}) WITH s "
        "UNWIND $rows AS row MATCH (c:Country {iso3: row.iso3}) "
        "CREATE (c)-[:MEMBER_OF_SYSTEM {since: row.since, until: row.until, source: 'test'}]->(s)",
        rows=[
            {"iso3": c[0], "since": SPELLS.get(c[0], (1816, None))[0], "until": SPELLS.get(c[0], (1816, None))[1]}
            for c in COUNTRIES
        ],
    )
    graph.write(
        "MATCH (s:System {name: 'interstate'}) UNWIND $rows AS row MATCH (c:Country {iso3: row[0]}) "
        "CREATE (c)-[:MEMBER_OF_SYSTEM {since: row[1], until: row[2], source: 'test2'}]->(s)",
        rows=[list(e) for e in EXTRA_SPELLS],
    )
    for kind, ties in (("CMAA", CMAA), ("MLAT", MLAT), ("FTA", FTA)):
        graph.write(
            "UNWIND $rows AS row MATCH (a:Country {iso3: row[0]}), (b:Country {iso3: row[1]}) "
            f"CREATE (ag:Agreement:{kind} {{id: row[5], type: $kind, year_signed: row[2]}}) "
            "CREATE (a)-[:PARTY_TO {source: 'test'}]->(ag), (b)-[:PARTY_TO {source: 'test'}]->(ag) "
            f"CREATE (a)-[:{kind} {{since: row[2], in_force: row[3], until: row[4], "
            f"agreement: row[5], source: 'test'}}]->(b)",
            rows=[list(t) for t in ties],
            kind=kind,
        )
    observations = [
        {"iso3": c[0], "year": y, "variable": "polyarchy", "value": polyarchy(c[0], y)}
        for c in COUNTRIES
        for y in range(1999, 2003)
        if (c[0], y) not in POLYARCHY_GAPS
    ] + [{"iso3": i, "year": y, "variable": "terror_fatalities", "value": v} for i, y, v in TERROR]
    observations = [{**o, "source": "test"} for o in observations] + [
        {"iso3": i, "year": y, "variable": "polyarchy", "value": polyarchy(i, y) + d, "source": "test2"}
        for i, y, d in SECOND_SOURCE
    ]
    graph.write(
        "UNWIND $rows AS row MATCH (c:Country {iso3: row.iso3}) "
        "CREATE (c)-[:HAS_OBSERVATION]->(:Observation {key: row.source + '|' + row.iso3 + '|' + row.year + '|' + "
        "row.variable, iso3: row.iso3, year: row.year, variable: row.variable, value: row.value, source: row.source})",
        rows=observations,
    )
    graph.write(
        "UNWIND $rows AS row MATCH (a:Country {iso3: row[0]}), (b:Country {iso3: row[1]}) "
        "CREATE (a)-[:TRADE {year: row[2], value: row[3], source: 'test'}]->(b)",
        rows=[list(t) for t in TRADE],
    )
    graph.write(
        "UNWIND $rows AS row MATCH (a:Country {iso3: row[0]}), (b:Country {iso3: row[1]}) "
        "CREATE (a)-[:CONTIGUOUS {type: row[2], since: row[3], until: row[4], source: 'test'}]->(b)",
        rows=[list(t) for t in CONTIGUITY],
    )
