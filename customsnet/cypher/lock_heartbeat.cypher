// Renew the load lock's heartbeat while its holder writes (a stale lock is one whose heartbeat stopped).
// :param {load_id: '20260101T000000-ab12cd'}
MATCH (lock:LoadLock {name: 'customsnet'})
WHERE lock.load_id = $load_id
SET lock.heartbeat = datetime()
