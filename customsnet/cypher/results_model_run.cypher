// Store one model run (idempotent on its id) with its coefficients.
// :param run => {id: 'demo-1', formula: 'cmaa ~ edges', estimator: 'mple', years: '1990-2020', R: 100, seed: 1, created: datetime(), software_version: '0.1.0', synthetic: true, model: 'Model 3', time_steps: 30}
// :param coefficients => [{term: 'edges', estimate: -5.1, boot_mean: -5.0, lower: -5.4, upper: -4.8, status: 'ok'}]
MERGE (m:ModelRun {id: $run.id})
SET m += $run
WITH m
OPTIONAL MATCH (m)-[:HAS_COEFFICIENT]->(old:Coefficient)
DETACH DELETE old
WITH DISTINCT m
UNWIND $coefficients AS c
CREATE (m)-[:HAS_COEFFICIENT]->(:Coefficient {
  run: $run.id, term: c.term, estimate: c.estimate, boot_mean: c.boot_mean,
  lower: c.lower, upper: c.upper, status: c.status, position: c.position
})
