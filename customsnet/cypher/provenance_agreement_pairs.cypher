// Every country pair "A B" (A < B) with a tie of type $type, of any date.
// :param {type: 'CMAA'}
MATCH (a:Country)-[r:CMAA|MLAT|FTA]->(b:Country) WHERE type(r) = $type
RETURN DISTINCT a.iso3 + ' ' + b.iso3 AS pair ORDER BY pair
