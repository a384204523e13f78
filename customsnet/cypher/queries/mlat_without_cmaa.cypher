// Pairs with an MLAT but no CMAA in a year: criminal-justice cooperation without the customs channel
// :param {year: 2005}
MATCH (a:Country)-[m:MLAT]-(b:Country)
WHERE a.iso3 < b.iso3
  AND m.since <= $year AND (m.until IS NULL OR m.until > $year)
  AND NOT EXISTS {
    MATCH (a)-[c:CMAA]-(b)
    WHERE c.since <= $year AND (c.until IS NULL OR c.until > $year)
  }
RETURN a.iso3 AS country1, a.name AS name1, b.iso3 AS country2, b.name AS name2, min(m.since) AS mlat_since
ORDER BY country1, country2
