// The span of years the loaded sources observe: yearly observations (V-Dem, UNGA, GTD, …),
// trade dyad-years, and agreement signing years. A model year outside it has no data at all.
// :param {}
CALL () {
  MATCH (o:Observation)
  RETURN min(o.year) AS first_year, max(o.year) AS last_year
  UNION ALL
  MATCH ()-[t:TRADE]->()
  RETURN min(t.year) AS first_year, max(t.year) AS last_year
  UNION ALL
  MATCH ()-[r:CMAA|MLAT|FTA]->()
  RETURN min(r.since) AS first_year, max(r.since) AS last_year
}
RETURN min(first_year) AS first_year, max(last_year) AS last_year
