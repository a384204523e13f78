// What the graph holds about a source before a load: the file it last loaded completely, its row
// count, and `pending`, the load_id of a load that started and never finished (killed, or its
// rollback failed). Also the rollback copy of the Source node's properties.
// :param {name: 'vdem:vdemlite_v14'}
MATCH (s:Source {name: $name})
RETURN s.sha256 AS sha256, s.rows_loaded AS rows_loaded, s.file AS file, s.loaded_at AS loaded_at,
       s.pending AS pending, elementId(s) AS id, properties(s) AS props
