// Ego network of a country over time: its CMAA partners, new partners and ties among partners, per year
// :param {country: 'FRA', from: 1990, to: 2020}
// density = ties among partners / possible ties among partners (null below 2 partners).
MATCH (x:Country)
WHERE x.iso3 = $country OR toLower(x.name) = toLower($country)
UNWIND range($from, $to) AS year
CALL (x, year) {
  OPTIONAL MATCH (x)-[r:CMAA]-(p:Country)
  WHERE r.since <= year AND (r.until IS NULL OR r.until > year)
  WITH p ORDER BY p.iso3
  RETURN collect(DISTINCT p) AS alters
}
CALL (x, year) {
  OPTIONAL MATCH (x)-[r:CMAA]-(p:Country)
  WHERE r.since <= year - 1 AND (r.until IS NULL OR r.until > year - 1)
  RETURN collect(DISTINCT p) AS before
}
CALL (year, alters) {
  UNWIND alters AS a
  MATCH (a)-[r:CMAA]->(b:Country)
  WHERE b IN alters AND r.since <= year AND (r.until IS NULL OR r.until > year)
  RETURN count(DISTINCT [a, b]) AS alter_ties
}
WITH year, alters, before, alter_ties, size(alters) AS degree
RETURN year, degree,
       [p IN alters | p.iso3] AS partners,
       [p IN alters WHERE NOT p IN before | p.iso3] AS new_partners,
       alter_ties AS ties_among_partners,
       CASE WHEN degree < 2 THEN null ELSE round(toFloat(alter_ties) / (degree * (degree - 1) / 2.0), 3) END AS density
ORDER BY year
