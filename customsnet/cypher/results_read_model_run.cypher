// A stored model run and its coefficients, in the order they were written.
// :param {id: "run-20260101-120000"}
MATCH (m:ModelRun {id: $id})
OPTIONAL MATCH (m)-[:HAS_COEFFICIENT]->(c:Coefficient)
WITH m, c ORDER BY c.position
RETURN m AS run, collect(c {.*}) AS coefficients
