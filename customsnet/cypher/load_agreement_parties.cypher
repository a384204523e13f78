// Parties to agreements: one PARTY_TO per (country, agreement); FTAs can have a hundred parties.
// :param {rows: [{key: 'cmaa:USA-MEX:1976|MEX', iso3: 'MEX', agreement: 'cmaa:USA-MEX:1976', row: 1}], source: 'cmaa:x', version: '…', load_id: '…'}
UNWIND $rows AS row
MATCH (c:Country {iso3: row.iso3})
MATCH (a:Agreement {id: row.agreement})
MERGE (c)-[party:PARTY_TO {key: row.key}]->(a)
ON CREATE SET party.load_id = $load_id
SET party.source = $source,
    party.row = row.row,
    party.version = $version
