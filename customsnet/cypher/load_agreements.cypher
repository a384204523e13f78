// Agreements (canonical `agreements` frame). An Agreement node is one real agreement, shared by
// every file that names it; what each file says about it is that file's *claim*, the
// FROM_SOURCE relationship to the file's Source (keyed `source|id`, with the file's dates, title,
// URL, row and version). The node's own properties, its PARTY_TO and its ties are derived from
// its claims by load_agreements_reconcile*.cypher, so a file can add or withdraw its claim
// without touching another file's. Labelled with its type (CMAA, MLAT, FTA).
// :param {rows: [{id: 'cmaa:MEX-USA:1976', type: 'CMAA', pair: 'MEX-USA', parties: ['MEX', 'USA'], title: null, signed: null, year_signed: 1976, in_force: null, terminated: null, source_url: null, row: 1}], source: 'cmaa:x', version: '…', load_id: '…'}
UNWIND $rows AS row
MATCH (s:Source {name: $source})
MERGE (a:Agreement {id: row.id})
ON CREATE SET a.load_id = $load_id,
              a.type = row.type,
              a.pair = row.pair,
              a.parties = row.parties,
              a.year_signed = row.year_signed,
              a.signed = row.signed
SET a:$(row.type)
MERGE (a)-[claim:FROM_SOURCE {key: $source + '|' + row.id}]->(s)
ON CREATE SET claim.load_id = $load_id
SET claim.source = $source,
    claim.title = row.title,
    claim.signed = row.signed,
    claim.year_signed = row.year_signed,
    claim.in_force = row.in_force,
    claim.terminated = row.terminated,
    claim.source_url = row.source_url,
    claim.row = row.row,
    claim.version = $version
