// Ties of one agreement type in place in each year of a range.
// In place in year Y: start <= Y and (until IS NULL or until > Y); start is `since` (basis
// 'signed') or `in_force` (basis 'in_force'; a tie without an in-force year never counts).
// Ties are stored once per pair, lower -> higher iso3, so source < target. Node sets are NOT
// applied here: the export reports ties whose party is outside the year's node set.
// One row per year with parallel lists (sources[n], targets[n]): far cheaper for the driver
// than a row per tie-year. Why the type is a filter over [r:CMAA|MLAT|FTA]: signals_degree.cypher.
// :param {type: 'CMAA', from: 1990, to: 2020, basis: 'signed'}
MATCH (a:Country)-[r:CMAA|MLAT|FTA]->(b:Country)
WHERE type(r) = $type
WITH a, b, r, CASE $basis WHEN 'in_force' THEN r.in_force ELSE r.since END AS start
WHERE start IS NOT NULL AND start <= $to AND (r.until IS NULL OR r.until > $from)
// one pass over the ties, each expanded to the years it is in place (no per-year re-scan)
UNWIND range(
  CASE WHEN start > $from THEN start ELSE $from END,
  CASE WHEN r.until IS NULL OR r.until > $to THEN $to ELSE r.until - 1 END
) AS year
WITH DISTINCT year, a.iso3 AS source, b.iso3 AS target
ORDER BY year, source, target
RETURN year, collect(source) AS sources, collect(target) AS targets
ORDER BY year
