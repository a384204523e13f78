// One batch of unloading a source: delete at most $batch of its Observation nodes.
// :param {name: 'vdem:vdemlite_v14', batch: 10000}
MATCH (o:Observation) WHERE o.source = $name
WITH o LIMIT $batch DETACH DELETE o RETURN count(*) AS n
