// Yearly bilateral trade (canonical `trade` frame), one TRADE per source and dyad-year, from the
// lower to the higher iso3. Each row is a list [iso1, iso2, year, value, flow1, flow2, row], not a
// map: the Python driver packs 400k maps about twice as slowly as lists (benchmarks/bench_load.py).
// :param {rows: [['AFG', 'ARE', 1985, 1000000.0, 1000000.0, 0.0, 387854]], source: 'trade:x', version: '…', load_id: '…'}
UNWIND $rows AS row
WITH row[0] AS iso1, row[1] AS iso2, row[2] AS year,
     row[3] AS value, row[4] AS flow1, row[5] AS flow2, row[6] AS source_row
MATCH (a:Country {iso3: iso1})
MATCH (b:Country {iso3: iso2})
MERGE (a)-[trade:TRADE {key: $source + '|' + iso1 + '|' + iso2 + '|' + toString(year)}]->(b)
ON CREATE SET trade.load_id = $load_id
SET trade.year = year,
    trade.value = value,
    trade.flow1 = flow1,
    trade.flow2 = flow2,
    trade.source = $source,
    trade.row = source_row,
    trade.version = $version
