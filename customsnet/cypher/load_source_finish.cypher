// Finish loading one source file: record its provenance once every fact is in place and checked,
// and clear the `pending` mark. `loaded_at` is the only property that changes when the same file
// is loaded again.
// :param {name: 'vdem:vdemlite_v14', file: 'vdem.csv', sha256: '…', version: '…', reader: 'vdem', layout: 'shared:vdemlite', rows_read: 10, rows_loaded: 9, rows_rejected: 1}
MATCH (s:Source {name: $name})
SET s.file = $file,
    s.sha256 = $sha256,
    s.version = $version,
    s.reader = $reader,
    s.layout = $layout,
    s.rows_read = $rows_read,
    s.rows_loaded = $rows_loaded,
    s.rows_rejected = $rows_rejected,
    s.loaded_at = datetime()
REMOVE s.pending
