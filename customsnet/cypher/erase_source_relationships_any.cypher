// One batch of unloading a source: delete at most $batch of its relationships of type $type, for
// a type outside the package's own (no type in the pattern: scans all relationships, slower).
// :param {name: 'vdem:vdemlite_v14', type: 'CONTIGUOUS', batch: 10000}
MATCH ()-[r]->()
WHERE type(r) = $type AND r.source = $name
WITH r LIMIT $batch DELETE r RETURN count(*) AS n
