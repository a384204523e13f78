// Country identity rows (canonical `countries` frame): one node per ISO3 key. A missing value
// never erases a known one (coalesce), since several sources describe the same countries.
// :param {rows: [{iso3: 'AFG', cow: 700, name: 'Afghanistan', region: 'Southern Asia', is_state: true}], load_id: '…'}
UNWIND $rows AS row
MERGE (c:Country {iso3: row.iso3})
ON CREATE SET c.load_id = $load_id
SET c.cow = coalesce(row.cow, c.cow),
    c.name = coalesce(row.name, c.name),
    c.region = coalesce(row.region, c.region),
    c.is_state = coalesce(row.is_state, c.is_state)
