// New ties formed in a year: pairs with a CMAA in place that year but none the year before
// :param {year: 2005}
MATCH (a:Country)-[r:CMAA]->(b:Country)
WHERE r.since <= $year AND (r.until IS NULL OR r.until > $year)
WITH a, b, collect(r.agreement) AS agreements
// a pair that signs a second agreement while the first is still in place is not new
WHERE NOT EXISTS {
  MATCH (a)-[q:CMAA]-(b)
  WHERE q.since <= $year - 1 AND (q.until IS NULL OR q.until > $year - 1)
}
RETURN a.iso3 AS country1, a.name AS name1, b.iso3 AS country2, b.name AS name2, agreements
ORDER BY country1, country2
