// Take the graph's load lock (customsnet/etl/lock.py): free, or held by the stale holder $expected
// that the caller has judged dead. Writing `claimed_by` first takes the node's write lock, so two
// loads cannot both read "free" and both take it.
// :param {load_id: '20260101T000000-ab12cd', source: 'vdem:x', host: 'box', pid: 123, expected: null}
MERGE (lock:LoadLock {name: 'customsnet'})
SET lock.claimed_by = $load_id
WITH lock, lock.load_id AS held
WITH lock, held IS NULL OR held = $expected AS free
FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
  SET lock.load_id = $load_id, lock.source = $source, lock.host = $host, lock.pid = $pid,
      lock.started = datetime(), lock.heartbeat = datetime())
REMOVE lock.claimed_by
RETURN free AS acquired, lock.load_id AS load_id, lock.source AS source, lock.host AS host, lock.pid AS pid,
       lock.started AS started, lock.heartbeat AS heartbeat, datetime() AS now
