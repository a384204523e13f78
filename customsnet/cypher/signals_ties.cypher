// Ties of one agreement type in place in a range of years, each with the span of years it is in place.
// In place in year Y: start <= Y and (until IS NULL or until > Y); start is `since` (basis
// 'signed') or `in_force` (basis 'in_force'; a tie without an in-force year never counts).
// The network of year Y is every tie with first_year <= Y <= last_year (set from = to = Y for
// one year's snapshot). Ties are stored once per pair, lower -> higher iso3, so source < target;
// a pair with several agreements appears once per agreement. Node sets are NOT applied here:
// the export reports ties whose party is outside the year's node set.
// One row of parallel lists, a tie once with its span rather than once per year: 4x fewer
// items for the driver to decode for the FTA network (56k ties, 244k tie-years over 31 years).
// Why the type is a filter over [r:CMAA|MLAT|FTA]: signals_degree.cypher.
// :param {type: 'CMAA', from: 1990, to: 2020, basis: 'signed'}
MATCH (a:Country)-[r:CMAA|MLAT|FTA]->(b:Country)
WHERE type(r) = $type
WITH a, b, r, CASE $basis WHEN 'in_force' THEN r.in_force WHEN 'signed_else_in_force' THEN coalesce(r.since, r.in_force) ELSE r.since END AS start
WHERE start IS NOT NULL AND start <= $to AND (r.until IS NULL OR r.until > $from)
WITH a.iso3 AS source, b.iso3 AS target,
     CASE WHEN start > $from THEN start ELSE $from END AS first_year,
     CASE WHEN r.until IS NULL OR r.until > $to THEN $to ELSE r.until - 1 END AS last_year
RETURN collect(source) AS sources, collect(target) AS targets,
       collect(first_year) AS first_years, collect(last_year) AS last_years
