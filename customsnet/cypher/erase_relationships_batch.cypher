// One batch of emptying the graph: delete at most $batch relationships, return how many went.
// :param {batch: 10000}
MATCH ()-[r]->() WITH r LIMIT $batch DELETE r RETURN count(*) AS n
