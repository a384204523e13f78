// Partners of a country in a year: CMAA ties in place (signed by then, not terminated)
// :param {country: 'FRA', year: 2005}
// $country is an ISO3 code or a country name (any case); ties are in place by signing year.
MATCH (c:Country)
WHERE c.iso3 = $country OR toLower(c.name) = toLower($country)
MATCH (c)-[r:CMAA]-(p:Country)
WHERE r.since <= $year AND (r.until IS NULL OR r.until > $year)
RETURN p.iso3 AS partner, p.name AS name, min(r.since) AS since, collect(r.agreement) AS agreements
ORDER BY partner
