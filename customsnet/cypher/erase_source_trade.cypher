// One batch of unloading a source: delete at most $batch of its TRADE relationships. TRADE keys
// start with the source name, so the key's unique index finds each batch directly (a property
// filter alone would rescan every TRADE relationship for every batch).
// :param {name: 'comtrade:x', prefix: 'comtrade:x|', batch: 10000}
MATCH ()-[r:TRADE]->()
WHERE r.key STARTS WITH $prefix AND r.source = $name
WITH r LIMIT $batch DELETE r RETURN count(*) AS n
