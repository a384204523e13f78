// After a changed file of a source loaded completely: delete that source's facts the new file no
// longer has (they still carry the previous file's version).
// :param {source: 'vdem:x', version: '0123456789abcdef'}
MATCH ()-[r]->()
WHERE r.source = $source AND r.version <> $version
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH (n)
WHERE n.source = $source AND n.version <> $version
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 1000 ROWS;
