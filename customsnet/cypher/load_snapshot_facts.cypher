// Rollback copy taken before a changed file overwrites a source's facts in place: the
// properties of its Source node and of every node and relationship it wrote.
// :param {source: 'vdem:vdemlite_v14'}
MATCH (n)
WHERE n.source = $source OR (n:Source AND n.name = $source)
RETURN 'node' AS kind, elementId(n) AS id, properties(n) AS props
UNION ALL
MATCH ()-[r]->()
WHERE r.source = $source
RETURN 'relationship' AS kind, elementId(r) AS id, properties(r) AS props
