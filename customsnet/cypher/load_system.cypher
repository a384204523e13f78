// The state system node, and the European Union as a country-like party with its own membership
// spell from 1993 (Maastricht), so EU agreements have a node in every year they can be in place.
// These built-in facts name the Source "customsnet".
// :param {load_id: '20260101T000000-ab12cd'}
MERGE (builtin:Source {name: 'customsnet'})
ON CREATE SET builtin.load_id = $load_id,
              builtin.reader = 'customsnet',
              builtin.layout = 'built-in',
              builtin.file = null
MERGE (system:System {name: 'interstate'})
ON CREATE SET system.load_id = $load_id
MERGE (eu:Country {iso3: 'EU'})
ON CREATE SET eu.load_id = $load_id,
              eu.name = 'European Union',
              eu.region = 'Europe',
              eu.is_state = false
MERGE (eu)-[spell:MEMBER_OF_SYSTEM {key: 'customsnet|EU|1993'}]->(system)
ON CREATE SET spell.load_id = $load_id,
              spell.since = 1993,
              spell.source = 'customsnet',
              spell.version = 'built-in'
