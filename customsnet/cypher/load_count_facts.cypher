// The facts a source owns in the graph, by kind and by whether they carry the given version:
// after a load, the current ones must be exactly the file's, and any other is stale.
// One branch per kind, so each seeks its `source` index (schema.cypher) instead of scanning.
// :param {source: 'vdem:x', version: '0123456789abcdef'}
MATCH (o:Observation)
WHERE o.source = $source
RETURN 'Observation' AS kind, o.version = $version AS current, count(*) AS n
UNION ALL
MATCH ()-[r:TRADE]->()
WHERE r.source = $source
RETURN 'TRADE' AS kind, r.version = $version AS current, count(*) AS n
UNION ALL
MATCH ()-[r:CONTIGUOUS]->()
WHERE r.source = $source
RETURN 'CONTIGUOUS' AS kind, r.version = $version AS current, count(*) AS n
UNION ALL
MATCH ()-[r:MEMBER_OF_SYSTEM]->()
WHERE r.source = $source
RETURN 'MEMBER_OF_SYSTEM' AS kind, r.version = $version AS current, count(*) AS n
UNION ALL
MATCH ()-[r:FROM_SOURCE]->()
WHERE r.source = $source
RETURN 'FROM_SOURCE' AS kind, r.version = $version AS current, count(*) AS n
