// Node set of each year in a range: every country with a state-system membership spell covering
// the year (a spell's `until` is its last year, inclusive; null = still a member). The EU is in
// the node set through its own spell (from 1993). One row per year, countries sorted.
// :param {from: 1990, to: 2020}
MATCH (c:Country)-[m:MEMBER_OF_SYSTEM]->(:System)
WHERE m.since <= $to AND (m.until IS NULL OR m.until >= $from)
UNWIND range(
  CASE WHEN m.since > $from THEN m.since ELSE $from END,
  CASE WHEN m.until IS NULL OR m.until > $to THEN $to ELSE m.until END
) AS year
WITH DISTINCT year, c.iso3 AS country
ORDER BY year, country
RETURN year, collect(country) AS countries
ORDER BY year
