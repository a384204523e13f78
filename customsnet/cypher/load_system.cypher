// The state system node, and the European Union as a country-like party with its own membership
// spell from 1993 (Maastricht), so EU agreements have a node in every year they can be in place.
// These built-in facts name the Source "customsnet". They are shared by every source and carry no
// load_id: no load owns them, so no rollback can delete them.
MERGE (builtin:Source {name: 'customsnet'})
ON CREATE SET builtin.reader = 'customsnet',
              builtin.layout = 'built-in',
              builtin.file = null
MERGE (system:System {name: 'interstate'})
MERGE (eu:Country {iso3: 'EU'})
ON CREATE SET eu.name = 'European Union',
              eu.region = 'Europe',
              eu.is_state = false
MERGE (eu)-[spell:MEMBER_OF_SYSTEM {key: 'customsnet|EU|1993'}]->(system)
ON CREATE SET spell.since = 1993,
              spell.source = 'customsnet',
              spell.version = 'built-in'
