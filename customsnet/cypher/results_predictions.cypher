// Store a run's top predicted new partners per country for the next year.
// One PREDICTED_PARTNER relationship per (run, country, partner), from the country to its partner.
// :param run_id => 'demo-1'
// :param rows => [{iso3: 'FRA', partner: 'BRA', year: 2021, probability: 0.12, rank: 1}]
MATCH (m:ModelRun {id: $run_id})
UNWIND $rows AS row
MATCH (a:Country {iso3: row.iso3})
MATCH (b:Country {iso3: row.partner})
MERGE (a)-[p:PREDICTED_PARTNER {run: $run_id, year: row.year}]->(b)
SET p.probability = row.probability, p.rank = row.rank
