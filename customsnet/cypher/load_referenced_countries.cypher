// Countries that facts of this file refer to: created (with the resolver's identity data) only
// when absent, so a fact never silently drops for want of its country node.
// :param {rows: [{iso3: 'AFG', cow: 700, name: 'Afghanistan', region: 'Southern Asia', is_state: true}], load_id: '…'}
UNWIND $rows AS row
MERGE (c:Country {iso3: row.iso3})
ON CREATE SET c.load_id = $load_id,
              c.cow = row.cow,
              c.name = row.name,
              c.region = row.region,
              c.is_state = row.is_state
