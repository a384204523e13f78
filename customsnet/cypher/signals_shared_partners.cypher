// Shared-partner counts for every pair with at least one shared partner, in each year of a range.
// A shared partner of i and j is a country k tied to both (one agreement type, ties in place per
// basis as in signals_degree.cypher); i, j and k must all be in the year's node set, as in the
// exported adjacency A, so the count equals (A @ A)[i, j].
// Returns ONE ROW PER YEAR with parallel lists pairs[n] ('BEL DNK': the two iso3 codes, first <
// second, space-separated) and shared[n]: a row per pair-year (~260k for the study's 31 years)
// costs the Python driver 10x more than lists, and one key string per pair 1/3 less than two codes.
// The type filter over [r:CMAA|MLAT|FTA]: see signals_degree.cypher.
// :param {type: 'CMAA', from: 1990, to: 2020, basis: 'signed'}
MATCH (s:System)<-[ma:MEMBER_OF_SYSTEM]-(a:Country)-[r:CMAA|MLAT|FTA]->(b:Country)-[mb:MEMBER_OF_SYSTEM]->(s)
WHERE type(r) = $type
WITH a, b, r, ma, mb, CASE $basis WHEN 'in_force' THEN r.in_force ELSE r.since END AS start
WHERE start IS NOT NULL
WITH a, b,
  reduce(lo = $from, y IN [start, ma.since, mb.since] | CASE WHEN y > lo THEN y ELSE lo END) AS first,
  reduce(hi = $to, y IN [coalesce(r.until - 1, $to), coalesce(ma.until, $to), coalesce(mb.until, $to)] |
         CASE WHEN y < hi THEN y ELSE hi END) AS last
UNWIND range(first, last) AS year
UNWIND [[a.iso3, b.iso3], [b.iso3, a.iso3]] AS ends
// each country k's distinct partners in the year
WITH year, ends[0] AS k, collect(DISTINCT ends[1]) AS partners
// every pair of k's partners gains k as a shared partner
UNWIND partners AS i
UNWIND partners AS j
WITH year, i, j
WHERE i < j
// grouping on one string key is 3x faster than on the (i, j) pair
WITH year, i + ' ' + j AS pair, count(*) AS shared
RETURN year, collect(pair) AS pairs, collect(shared) AS shared
ORDER BY year
