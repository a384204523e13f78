// Rollback: delete every node and relationship created by one load (tagged with its load_id on
// creation). Auto-commit statements, batched, as a failed load may have written 400k ties.
// :param {load_id: '20260101T000000-ab12cd'}
MATCH ()-[r]->()
WHERE r.load_id = $load_id
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH (n)
WHERE n.load_id = $load_id
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 1000 ROWS;
