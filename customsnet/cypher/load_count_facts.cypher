// The facts a source owns in the graph, by kind and by whether they carry the given version:
// after a load, the current ones must be exactly the file's, and any other is stale.
// :param {source: 'vdem:x', version: '0123456789abcdef'}
MATCH (o:Observation)
WHERE o.source = $source
RETURN 'Observation' AS kind, o.version = $version AS current, count(*) AS n
UNION ALL
MATCH ()-[r:TRADE|CONTIGUOUS|MEMBER_OF_SYSTEM|FROM_SOURCE]->()
WHERE r.source = $source
RETURN type(r) AS kind, r.version = $version AS current, count(*) AS n
