// Delete every node and relationship (tests, `db` reset). Relationships go first, 10 000 per
// inner transaction: a DETACH DELETE of 10 000 nodes that hold ~400k TRADE ties between them
// exceeds the transaction memory pool.
MATCH ()-[r]->()
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS;
