// Total bilateral trade (current USD) of every dyad with a TRADE record, per year of a range.
// Stored once per dyad-year, lower -> higher iso3; uses the index on TRADE(year).
// One row per year: sources[n] and, for each source, its targets[n][] and values[n][]
// (nested, so a source code is sent once per year, not once per dyad: ~13k dyads a year).
// :param {from: 1989, to: 2019}
MATCH (a:Country)-[t:TRADE]->(b:Country)
WHERE t.year >= $from AND t.year <= $to
WITH t.year AS year, a.iso3 AS source, collect(b.iso3) AS targets, collect(t.value) AS values
RETURN year, collect(source) AS sources, collect(targets) AS targets, collect(values) AS values
ORDER BY year
