// How many loaded Sources are user data, i.e. neither a synthetic demo file nor the loader's own
// built-in "customsnet" Source (the EU's membership spell). The demo refuses to mix into them.
// :param {}
MATCH (s:Source)
WHERE s.name <> 'customsnet' AND NOT coalesce(s.file, '') CONTAINS 'SYNTHETIC'
RETURN count(s) AS n
