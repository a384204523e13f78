// One batch of unloading a source: delete at most $batch of its relationships of one type.
// A template: graph/erase.py writes the type name into the pattern, only for a type on its allow-list.
// :param {name: 'vdem:vdemlite_v14', batch: 10000}
MATCH ()-[r:`{type}`]->()
WHERE r.source = $name
WITH r LIMIT $batch DELETE r RETURN count(*) AS n
