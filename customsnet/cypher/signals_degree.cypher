// Degree of every country in each year's node set (zeros included), for one agreement type.
// Counts distinct partners (several agreements with one partner count once) that are themselves
// in the year's node set, so it equals the row sums of the exported adjacency.
// A tie is in place in year Y when start <= Y and (until IS NULL or until > Y), start being
// `since` (basis 'signed') or `in_force` (basis 'in_force'); membership `until` is inclusive.
// Relationship types cannot be parameters, so the type is a filter `type(r) = $type` over
// [r:CMAA|MLAT|FTA]: on the benchmark world it reads ~2x the db hits of a literal type (18k vs
// 10k, negligible), while the Neo4j 5.26 dynamic type [r:$($type)] in this multi-hop pattern
// was planned as a scan of all relationships (10M db hits, 5x slower).
// :param {type: 'CMAA', from: 1990, to: 2020, basis: 'signed'}
CALL () {
  // every node-year, so countries without ties get degree 0
  MATCH (c:Country)-[m:MEMBER_OF_SYSTEM]->(:System)
  WHERE m.since <= $to AND (m.until IS NULL OR m.until >= $from)
  UNWIND range(
    CASE WHEN m.since > $from THEN m.since ELSE $from END,
    CASE WHEN m.until IS NULL OR m.until > $to THEN $to ELSE m.until END
  ) AS year
  RETURN year, c.iso3 AS country, null AS partner
  UNION
  // every tie-year whose two parties are members that year, seen from both ends:
  // the years a tie counts are the overlap of the tie's and both membership spells
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
  RETURN year, ends[0] AS country, ends[1] AS partner
}
RETURN year, country, count(DISTINCT partner) AS degree
ORDER BY year, country
