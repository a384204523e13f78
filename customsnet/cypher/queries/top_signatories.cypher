// Top signatories in a year: countries with the most CMAA partners in place, and how many they signed that year
// :param {year: 2005, limit: 10}
MATCH (c:Country)-[r:CMAA]-(p:Country)
WHERE r.since <= $year AND (r.until IS NULL OR r.until > $year)
RETURN c.iso3 AS country, c.name AS name, count(DISTINCT p) AS partners,
       count(DISTINCT CASE WHEN r.since = $year THEN r.agreement END) AS signed_in_year
ORDER BY partners DESC, country
LIMIT $limit
