// Degree of every country in each year's node set (zeros included), for one agreement type.
// Counts distinct partners (several agreements with one partner count once) that are themselves
// in the year's node set, so it equals the row sums of the exported adjacency.
// A tie is in place in year Y when start <= Y and (until IS NULL or until > Y), start being
// `since` (basis 'signed') or `in_force` (basis 'in_force'); membership `until` is inclusive.
// Works on SPANS of years: each tied pair gets the years it counts as disjoint spans (its
// agreements' years cut to both parties' membership), computed once per pair; merging spans
// makes several agreements of a pair, and several overlapping membership spells of a country
// (one per state-system source), count once without exploding the rows.
// Relationship types cannot be parameters, so the type is a filter `type(r) = $type` over
// [r:CMAA|MLAT|FTA]: on the benchmark world it reads ~2x the db hits of a literal type (18k vs
// 10k, negligible), while the Neo4j 5.26 dynamic type [r:$($type)] in a multi-hop pattern was
// planned as a scan of all relationships (10M db hits, 5x slower).
// :param {type: 'CMAA', from: 1990, to: 2020, basis: 'signed'}
CALL () {
  // every node-year, so countries without ties get degree 0
  MATCH (c:Country)-[m:MEMBER_OF_SYSTEM]->(:System)
  WHERE m.since <= $to AND (m.until IS NULL OR m.until >= $from)
  UNWIND range(
    CASE WHEN m.since > $from THEN m.since ELSE $from END,
    CASE WHEN m.until IS NULL OR m.until > $to THEN $to ELSE m.until END
  ) AS year
  RETURN DISTINCT year, c.iso3 AS country, 0 AS tie
  UNION ALL
  // 1. every tied pair once (stored lower -> higher iso3)
  MATCH (a:Country)-[r:CMAA|MLAT|FTA]->(b:Country)
  WHERE type(r) = $type
  WITH DISTINCT a, b
  // 2. as spans of years sorted by start: the pair's agreements in place, and each party's
  //    state-system membership (a country can have several overlapping spells, one per source)
  WITH a, b,
    COLLECT {
      MATCH (a)-[t:CMAA|MLAT|FTA]->(b)
      WHERE type(t) = $type
      WITH t, CASE $basis WHEN 'in_force' THEN t.in_force WHEN 'signed_else_in_force' THEN coalesce(t.since, t.in_force) ELSE t.since END AS start
      WHERE start IS NOT NULL AND start <= $to AND (t.until IS NULL OR t.until > $from)
      RETURN [CASE WHEN start > $from THEN start ELSE $from END,
              CASE WHEN t.until IS NULL OR t.until > $to THEN $to ELSE t.until - 1 END] AS span
      ORDER BY span[0]
    } AS tied,
    COLLECT {
      MATCH (a)-[m:MEMBER_OF_SYSTEM]->(:System)
      RETURN [m.since, coalesce(m.until, $to)] AS span ORDER BY span[0]
    } AS a_member,
    COLLECT {
      MATCH (b)-[m:MEMBER_OF_SYSTEM]->(:System)
      RETURN [m.since, coalesce(m.until, $to)] AS span ORDER BY span[0]
    } AS b_member
  // 3. merge each sorted list into disjoint spans (joining spans that overlap or touch)
  WITH a, b, [spans IN [tied, a_member, b_member] |
    reduce(merged = [], s IN spans |
      CASE WHEN size(merged) > 0 AND s[0] <= merged[-1][1] + 1
           THEN merged[..-1] + [[merged[-1][0], CASE WHEN s[1] > merged[-1][1] THEN s[1] ELSE merged[-1][1] END]]
           ELSE merged + [s] END)] AS lists
  // 4. the years the pair counts: tied AND both members (disjoint spans in, disjoint spans out)
  WITH a, b, reduce(common = lists[0], other IN lists[1..] |
    reduce(out = [], x IN common | out + [y IN other
      WHERE (CASE WHEN x[0] > y[0] THEN x[0] ELSE y[0] END) <= (CASE WHEN x[1] < y[1] THEN x[1] ELSE y[1] END)
      | [CASE WHEN x[0] > y[0] THEN x[0] ELSE y[0] END, CASE WHEN x[1] < y[1] THEN x[1] ELSE y[1] END]])) AS spans
  WHERE size(spans) > 0
  // each pair-year once (disjoint spans), counted at both ends
  UNWIND spans AS span
  UNWIND range(span[0], span[1]) AS year
  UNWIND [a.iso3, b.iso3] AS country
  RETURN year, country, 1 AS tie
}
RETURN year, country, sum(tie) AS degree
ORDER BY year, country
