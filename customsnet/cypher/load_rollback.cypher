// Rollback: delete the facts one failed load created (tagged with its load_id on creation) for
// its own source — never another source's facts, and never a shared node (countries, the system,
// agreements: load_rollback_shared.cypher and the agreement reconcile handle those). Auto-commit
// statements, batched, as a failed load may have written 400k ties; one per kind, so each seeks
// its `source` index (schema.cypher).
// :param {load_id: '20260101T000000-ab12cd', source: 'vdem:x'}
MATCH ()-[r:TRADE]->()
WHERE r.source = $source AND r.load_id = $load_id
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH ()-[r:CONTIGUOUS]->()
WHERE r.source = $source AND r.load_id = $load_id
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH ()-[r:MEMBER_OF_SYSTEM]->()
WHERE r.source = $source AND r.load_id = $load_id
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH ()-[r:FROM_SOURCE]->()
WHERE r.source = $source AND r.load_id = $load_id
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH (o:Observation)
WHERE o.source = $source AND o.load_id = $load_id
CALL (o) {
  DETACH DELETE o
} IN TRANSACTIONS OF 1000 ROWS;
