// Shared-partner counts for every pair with at least one shared partner, in each year of a range.
// A shared partner of i and j is a country k tied to both (one agreement type, ties in place per
// basis as in signals_degree.cypher); i, j and k must all be in the year's node set, as in the
// exported adjacency A, so the count equals (A @ A)[i, j].
// Works on year SPANS, not on years: each tie is in place over a span of years (its own span cut
// to both parties' membership); two ties of k overlap over a span; a pair's count in year Y is the
// number of distinct k whose spans cover Y. This aggregates ~10x fewer rows than expanding every
// tie to its years first (the 31-year study network: 340k pair-years vs ~40k tie pairs).
// Returns ONE ROW: parallel lists pairs[n] ('BEL DNK': two iso3 codes, first < second),
// first_years[n] and shared[n], the list of counts for first_year, first_year + 1, ... (a count
// can be 0 inside the list when a shared partner's tie ends and another starts later).
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
WHERE first <= last
// each tie seen from both parties: [k, partner, first, last]
UNWIND [[a.iso3, b.iso3, first, last], [b.iso3, a.iso3, first, last]] AS tie
WITH tie[0] AS k, collect(tie[1..]) AS ties
// every two ties of k with different partners i < j make k a shared partner while both are in place
UNWIND ties AS ti
UNWIND ties AS tj
WITH k, ti, tj
WHERE ti[0] < tj[0]
WITH k, ti[0] + ' ' + tj[0] AS pair,
     CASE WHEN ti[1] > tj[1] THEN ti[1] ELSE tj[1] END AS first,
     CASE WHEN ti[2] < tj[2] THEN ti[2] ELSE tj[2] END AS last
WHERE first <= last
WITH pair, collect([k, first, last]) AS spans, min(first) AS first, max(last) AS last
// count DISTINCT k per year: a pair of countries with two agreements gives k two spans
RETURN collect(pair) AS pairs, collect(first) AS first_years,
       collect([y IN range(first, last) |
         size(reduce(ks = [], s IN spans |
           CASE WHEN s[1] <= y AND y <= s[2] AND NOT s[0] IN ks THEN ks + [s[0]] ELSE ks END))]) AS shared
