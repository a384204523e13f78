// Contiguity spells (canonical `contiguity` frame), lower -> higher iso3; `type` is the COW
// conttype (1 land, 2-5 water up to 12/24/150/400 miles); `until` null = still contiguous.
// :param {rows: [{key: 'c|AFG|CHN|1|1920', iso1: 'AFG', iso2: 'CHN', type: 1, since: 1920, until: null, row: 1}], source: 'c', version: '…', load_id: '…'}
UNWIND $rows AS row
MATCH (a:Country {iso3: row.iso1})
MATCH (b:Country {iso3: row.iso2})
MERGE (a)-[spell:CONTIGUOUS {key: row.key}]->(b)
ON CREATE SET spell.load_id = $load_id
SET spell.type = row.type,
    spell.since = row.since,
    spell.until = row.until,
    spell.source = $source,
    spell.row = row.row,
    spell.version = $version
