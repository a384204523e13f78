// Every Source node: name, file, reader, layout, rows loaded and load time, by name.
MATCH (s:Source)
RETURN s.name AS name, s.file AS file, s.reader AS reader, s.layout AS layout,
       s.rows_loaded AS rows_loaded, toString(s.loaded_at) AS loaded_at
ORDER BY s.name
