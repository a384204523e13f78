// Start loading one source file: make sure its Source node exists (facts link to it) and mark it
// `pending` with this load's id until load_source_finish; a load killed midway leaves the mark,
// so the next load of the source knows to clean up after it.
// :param {name: 'vdem:vdemlite_v14', load_id: '20260101T000000-ab12cd'}
MERGE (s:Source {name: $name})
ON CREATE SET s.load_id = $load_id
SET s.pending = $load_id
