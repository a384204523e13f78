// Shared-partner counts for every pair with at least one shared partner, in each year of a range.
// A shared partner of i and j is a country k tied to both (one agreement type, ties in place per
// basis); i, j and k must all be in the year's node set, as in the exported adjacency A, so the
// count equals (A @ A)[i, j].
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
// Two ties of k overlap over spans; a pair's count in year Y is the number of spans covering Y
// (one per k, as each tie's spans are disjoint). This aggregates ~10x fewer rows than expanding
// every tie to its years first (the benchmark's 31 years: 340k pair-years vs ~40k tie pairs).
// Returns ONE ROW: parallel lists pairs[n] ('BEL DNK': two iso3 codes, first < second),
// first_years[n] and shared[n], the list of counts for first_year, first_year + 1, ... (a count
// can be 0 inside the list when a shared partner's tie ends and another starts later).
// :param {type: 'CMAA', from: 1990, to: 2020, basis: 'signed'}
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
// 5. each tie seen from both parties: k, partner, spans
UNWIND [[a.iso3, b.iso3], [b.iso3, a.iso3]] AS ends
WITH ends[0] AS k, collect([ends[1], spans]) AS ties
// 6. every two ties of k with partners i < j make k a shared partner while both are in place
UNWIND ties AS ti
UNWIND ties AS tj
WITH ti, tj
WHERE ti[0] < tj[0]
WITH ti[0] + ' ' + tj[0] AS pair,
  reduce(out = [], x IN ti[1] | out + [y IN tj[1]
    WHERE (CASE WHEN x[0] > y[0] THEN x[0] ELSE y[0] END) <= (CASE WHEN x[1] < y[1] THEN x[1] ELSE y[1] END)
    | [CASE WHEN x[0] > y[0] THEN x[0] ELSE y[0] END, CASE WHEN x[1] < y[1] THEN x[1] ELSE y[1] END]]) AS both
WHERE size(both) > 0
// 7. per pair: all its shared partners' spans, and the count in each year they cover
WITH pair, reduce(all = [], spans IN collect(both) | all + spans) AS spans
WITH pair, spans,
  reduce(lo = $to, s IN spans | CASE WHEN s[0] < lo THEN s[0] ELSE lo END) AS first,
  reduce(hi = $from, s IN spans | CASE WHEN s[1] > hi THEN s[1] ELSE hi END) AS last
RETURN collect(pair) AS pairs, collect(first) AS first_years,
       collect([y IN range(first, last) | size([s IN spans WHERE s[0] <= y AND y <= s[1]])]) AS shared
