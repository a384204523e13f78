// Top signatories in a year: countries with the most CMAA partners in place
// :param {year: 2005, limit: 10}
MATCH (c:Country)-[r:CMAA]-(p:Country)
WHERE r.since <= $year AND (r.until IS NULL OR r.until > $year)
RETURN c.iso3 AS country, c.name AS name, count(DISTINCT p) AS partners
ORDER BY partners DESC, country
LIMIT $limit
