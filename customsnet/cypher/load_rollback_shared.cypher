// Rollback, last step: shared nodes (countries, the load's own Source) that the failed load
// created and that nothing refers to any more. A node another source has attached a fact to is
// kept: it is no longer this load's alone.
// :param {load_id: '20260101T000000-ab12cd'}
MATCH (n)
WHERE n.load_id = $load_id AND (n:Country OR n:Source) AND NOT EXISTS { (n)--() }
DELETE n
