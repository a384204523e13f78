// Every country's region (null where the country list gives none), for the report's region colours.
// :param {}
MATCH (c:Country)
RETURN c.iso3 AS iso3, c.region AS region
ORDER BY iso3
