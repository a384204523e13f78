// Agreement nodes (canonical `agreements` frame), labelled with their type (CMAA, MLAT, FTA),
// each linked to the Source it was read from.
// :param {rows: [{id: 'cmaa:USA-MEX:1976', type: 'CMAA', title: null, signed: null, year_signed: 1976, in_force: null, terminated: null, source_url: null, row: 1}], source: 'cmaa:x', version: '…', load_id: '…'}
UNWIND $rows AS row
MATCH (s:Source {name: $source})
MERGE (a:Agreement {id: row.id})
ON CREATE SET a.load_id = $load_id
SET a:$(row.type),
    a.type = row.type,
    a.title = row.title,
    a.signed = row.signed,
    a.year_signed = row.year_signed,
    a.in_force = row.in_force,
    a.terminated = row.terminated,
    a.source_url = row.source_url,
    a.source = $source,
    a.row = row.row,
    a.version = $version
MERGE (a)-[:FROM_SOURCE]->(s)
