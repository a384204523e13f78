// Facts of one source by relationship type, plus its Observation nodes and the Agreement nodes it names.
// :param {name: 'vdem:vdemlite_v14'}
CALL () {
  MATCH ()-[r]->() WHERE r.source = $name RETURN type(r) AS kind, count(r) AS n
  UNION ALL
  MATCH (o:Observation) WHERE o.source = $name RETURN 'Observation' AS kind, count(o) AS n
  UNION ALL
  MATCH (a:Agreement)-[:FROM_SOURCE]->(:Source {name: $name}) RETURN 'Agreement' AS kind, count(a) AS n
}
RETURN kind, sum(n) AS n
