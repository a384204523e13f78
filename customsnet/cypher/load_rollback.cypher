// Rollback: delete the facts one failed load created (tagged with its load_id on creation) for
// its own source — never another source's facts, and never a shared node (countries, the system,
// agreements: load_rollback_shared.cypher and the agreement reconcile handle those). Auto-commit
// statements, batched, as a failed load may have written 400k ties.
// :param {load_id: '20260101T000000-ab12cd', source: 'vdem:x'}
MATCH ()-[r:TRADE|CONTIGUOUS|MEMBER_OF_SYSTEM|FROM_SOURCE]->()
WHERE r.load_id = $load_id AND r.source = $source
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH (o:Observation)
WHERE o.load_id = $load_id AND o.source = $source
CALL (o) {
  DETACH DELETE o
} IN TRANSACTIONS OF 1000 ROWS;
