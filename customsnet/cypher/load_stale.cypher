// After a file of a source loaded completely: delete that source's facts that the file does not
// have (they carry another version: a previous file, or a load of another file that was killed
// midway). Agreement claims are among them; the loader then re-derives the agreements they named.
// :param {source: 'vdem:x', version: '0123456789abcdef'}
MATCH ()-[r:TRADE|CONTIGUOUS|MEMBER_OF_SYSTEM|FROM_SOURCE]->()
WHERE r.source = $source AND r.version <> $version
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;

MATCH (o:Observation)
WHERE o.source = $source AND o.version <> $version
CALL (o) {
  DETACH DELETE o
} IN TRANSACTIONS OF 1000 ROWS;
