// Names of the loaded Sources that are synthetic (flagged, or loaded from a SYNTHETIC file).
MATCH (s:Source)
WHERE coalesce(s.synthetic, false) OR coalesce(s.file, s.name) CONTAINS 'SYNTHETIC'
RETURN s.name AS name ORDER BY name
