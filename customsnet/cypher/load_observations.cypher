// Yearly country attributes (canonical `observations` frame): one Observation per
// source, country, year and variable, hung off its Country and linked to its Source.
// :param {rows: [{key: 'vdem:x|AFG|1990|polyarchy', iso3: 'AFG', year: 1990, variable: 'polyarchy', value: 0.1, row: 1}], source: 'vdem:x', version: '…', load_id: '…'}
UNWIND $rows AS row
MATCH (c:Country {iso3: row.iso3})
MATCH (s:Source {name: $source})
MERGE (o:Observation {key: row.key})
ON CREATE SET o.load_id = $load_id
SET o.iso3 = row.iso3,
    o.year = row.year,
    o.variable = row.variable,
    o.value = row.value,
    o.source = $source,
    o.row = row.row,
    o.version = $version
MERGE (c)-[:HAS_OBSERVATION]->(o)
MERGE (o)-[:FROM_SOURCE]->(s)
