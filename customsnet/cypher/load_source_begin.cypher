// Start loading one source file: make sure its Source node exists (facts link to it) and return
// what the graph knew about it before, so the loader can tell a first load, a reload of the same
// file (same sha256) and a changed file apart. Counts and sha256 are set by load_source_finish.
// :param {name: 'vdem:vdemlite_v14', load_id: '20260101T000000-ab12cd'}
MERGE (s:Source {name: $name})
ON CREATE SET s.load_id = $load_id
RETURN s.sha256 AS sha256, s.load_id = $load_id AS created
