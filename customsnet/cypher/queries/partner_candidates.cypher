// Likely next partners of a country: non-partners with the most CMAA partners in common with it
// :param {country: 'FRA', year: 2005, limit: 10}
// Triadic closure: the countries that share most partners with $country but have no CMAA with it yet.
MATCH (x:Country)
WHERE x.iso3 = $country OR toLower(x.name) = toLower($country)
MATCH (x)-[rx:CMAA]-(k:Country)-[rc:CMAA]-(c:Country)
WHERE c <> x
  AND rx.since <= $year AND (rx.until IS NULL OR rx.until > $year)
  AND rc.since <= $year AND (rc.until IS NULL OR rc.until > $year)
  AND NOT EXISTS {
    MATCH (x)-[r:CMAA]-(c)
    WHERE r.since <= $year AND (r.until IS NULL OR r.until > $year)
  }
RETURN c.iso3 AS candidate, c.name AS name, count(DISTINCT k) AS partners_in_common,
       collect(DISTINCT k.iso3) AS via
ORDER BY partners_in_common DESC, candidate
LIMIT $limit
