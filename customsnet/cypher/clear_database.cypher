// Delete every node and relationship, 10 000 nodes per inner transaction (tests, `db` reset).
MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
