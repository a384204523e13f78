// One batch of emptying the graph: delete at most $batch nodes (with any relationships left), return how many went.
// :param {batch: 10000}
MATCH (n) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS n
