// One batch of unloading a source: delete at most $batch of its FROM_SOURCE links from agreements
// that other sources name too (the Agreement node stays).
// :param {name: 'desta:x', batch: 10000}
MATCH (:Agreement)-[f:FROM_SOURCE]->(:Source {name: $name})
WITH f LIMIT $batch DELETE f RETURN count(*) AS n
