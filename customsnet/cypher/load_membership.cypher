// State-system membership spells (canonical `membership` frame). `until` is the last year of
// the spell (inclusive), null while the country is still a member.
// :param {rows: [{key: 'cow_states:x|AFG|1919', iso3: 'AFG', since: 1919, until: null, row: 1}], source: 'cow_states:x', version: '…', load_id: '…'}
UNWIND $rows AS row
MATCH (c:Country {iso3: row.iso3})
MATCH (system:System {name: 'interstate'})
MERGE (c)-[spell:MEMBER_OF_SYSTEM {key: row.key}]->(system)
ON CREATE SET spell.load_id = $load_id
SET spell.since = row.since,
    spell.until = row.until,
    spell.source = $source,
    spell.row = row.row,
    spell.version = $version
