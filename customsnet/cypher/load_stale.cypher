// After a file of a source loaded completely: delete that source's facts that the file does not
// have (they carry another version: a previous file, or a load of another file that was killed
// midway). Agreement claims are among them; the loader then re-derives the agreements they named.
// One statement per kind, so each seeks its `source` index (schema.cypher) instead of scanning.
// :param {source: 'vdem:x', version: '0123456789abcdef'}
MATCH ()-[r:TRADE]->()
WHERE r.source = $source AND r.version <> $version
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH ()-[r:CONTIGUOUS]->()
WHERE r.source = $source AND r.version <> $version
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH ()-[r:MEMBER_OF_SYSTEM]->()
WHERE r.source = $source AND r.version <> $version
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH ()-[r:FROM_SOURCE]->()
WHERE r.source = $source AND r.version <> $version
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH (o:Observation)
WHERE o.source = $source AND o.version <> $version
CALL (o) {
  DETACH DELETE o
} IN TRANSACTIONS OF 1000 ROWS;
