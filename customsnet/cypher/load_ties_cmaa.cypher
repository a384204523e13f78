// Pairwise CMAA ties derived from agreements: one per pair of parties and agreement, stored once,
// from the lower to the higher iso3 (query undirected). `since`, `in_force`, `until` are years; for an agreement
// several files name, load_agreements_reconcile_ties.cypher then sets the agreed values.
// :param {rows: [{key: 'a|MEX|USA', iso1: 'MEX', iso2: 'USA', agreement: 'a', since: 1976, in_force: null, until: null, row: 1}], source: 's', version: '…', load_id: '…'}
UNWIND $rows AS row
MATCH (a:Country {iso3: row.iso1})
MATCH (b:Country {iso3: row.iso2})
MERGE (a)-[tie:CMAA {key: row.key}]->(b)
ON CREATE SET tie.load_id = $load_id
SET tie.since = row.since,
    tie.in_force = row.in_force,
    tie.until = row.until,
    tie.agreement = row.agreement,
    tie.source = $source,
    tie.sources = [$source],
    tie.row = row.row,
    tie.version = $version
