// Contiguous dyads in each year of a range, for COW contiguity types up to $max_type
// (1 = land or river border, the study's default; 2-5 = separated by up to 12, 24, 150, 400 miles of water).
// A spell covers Y when since <= Y and (until IS NULL or until >= Y) (COW end years are inclusive).
// One row per year with parallel lists sources[n], targets[n] (source < target).
// :param {from: 1989, to: 2019, max_type: 1}
MATCH (a:Country)-[c:CONTIGUOUS]->(b:Country)
WHERE c.type <= $max_type AND c.since <= $to AND (c.until IS NULL OR c.until >= $from)
UNWIND range(
  CASE WHEN c.since > $from THEN c.since ELSE $from END,
  CASE WHEN c.until IS NULL OR c.until > $to THEN $to ELSE c.until END
) AS year
WITH DISTINCT year, a.iso3 AS source, b.iso3 AS target
RETURN year, collect(source) AS sources, collect(target) AS targets
ORDER BY year
