// Shared partners of two countries in a year: countries with a CMAA in place with both
// :param {country: 'FRA', other: 'DEU', year: 2005}
// $country and $other are ISO3 codes or names; ties are in place by signing year.
MATCH (a:Country)
WHERE a.iso3 = $country OR toLower(a.name) = toLower($country)
MATCH (b:Country)
WHERE b.iso3 = $other OR toLower(b.name) = toLower($other)
MATCH (a)-[ra:CMAA]-(k:Country)-[rb:CMAA]-(b)
WHERE k <> a AND k <> b
  AND ra.since <= $year AND (ra.until IS NULL OR ra.until > $year)
  AND rb.since <= $year AND (rb.until IS NULL OR rb.until > $year)
RETURN DISTINCT k.iso3 AS shared_partner, k.name AS name
ORDER BY shared_partner
