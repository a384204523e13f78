// Rollback copy taken before a file of an already loaded source overwrites its facts in place:
// the properties of every fact the source owns (see load_count_facts.cypher), one branch per kind
// so each seeks its `source` index.
// :param {source: 'vdem:vdemlite_v14'}
MATCH (o:Observation)
WHERE o.source = $source
RETURN 'node' AS kind, elementId(o) AS id, properties(o) AS props
UNION ALL
MATCH ()-[r:TRADE]->()
WHERE r.source = $source
RETURN 'relationship' AS kind, elementId(r) AS id, properties(r) AS props
UNION ALL
MATCH ()-[r:CONTIGUOUS]->()
WHERE r.source = $source
RETURN 'relationship' AS kind, elementId(r) AS id, properties(r) AS props
UNION ALL
MATCH ()-[r:MEMBER_OF_SYSTEM]->()
WHERE r.source = $source
RETURN 'relationship' AS kind, elementId(r) AS id, properties(r) AS props
UNION ALL
MATCH ()-[r:FROM_SOURCE]->()
WHERE r.source = $source
RETURN 'relationship' AS kind, elementId(r) AS id, properties(r) AS props
