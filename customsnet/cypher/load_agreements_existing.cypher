// Agreements already in the graph for the party pairs of a file's bilateral agreements, so the
// loader can give a real agreement that another file already names the same node.
// :param {type: 'CMAA', pairs: ['DEU-JPN'], source: 'cmaa:seed'}
MATCH (a:Agreement)
WHERE a.type = $type AND a.pair IN $pairs
RETURN a.id AS id, a.pair AS pair, a.year_signed AS year,
       EXISTS { (a)-[c:FROM_SOURCE]->(:Source) WHERE c.source = $source } AS claimed_by_source
