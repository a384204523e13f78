// Total bilateral trade (current USD) of every dyad with a TRADE record, per year of a range.
// Stored once per dyad-year, lower -> higher iso3; uses the index on TRADE(year).
// One row per year with parallel lists sources[n], targets[n], values[n].
// :param {from: 1989, to: 2019}
MATCH (a:Country)-[t:TRADE]->(b:Country)
WHERE t.year >= $from AND t.year <= $to
RETURN t.year AS year, collect(a.iso3) AS sources, collect(b.iso3) AS targets, collect(t.value) AS values
ORDER BY year
