// One batch of unloading a source: delete at most $batch Agreement nodes that only this source
// names (with their PARTY_TO links); agreements another source names too are kept.
// :param {name: 'desta:x', batch: 10000}
MATCH (a:Agreement)-[:FROM_SOURCE]->(:Source {name: $name})
WHERE NOT EXISTS { (a)-[:FROM_SOURCE]->(o:Source) WHERE o.name <> $name }
WITH a LIMIT $batch DETACH DELETE a RETURN count(*) AS n
