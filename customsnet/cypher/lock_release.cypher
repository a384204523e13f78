// Give the load lock back: the node exists only while some load holds it.
// :param {load_id: '20260101T000000-ab12cd'}
MATCH (lock:LoadLock {name: 'customsnet'})
WHERE lock.load_id = $load_id
DELETE lock
