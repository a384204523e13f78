// Years the loaded dyadic sources cover: outside them a covariate is missing, not zero.
// Contiguity lists only contiguous dyads, so a dyad without a spell is 0 only inside the
// span of the contiguity data (last_year null = some spell is still open); an agreement type
// with no relationships at all was not loaded, so its covariate is missing rather than 0.
// :param {}
CALL () {
  MATCH ()-[c:CONTIGUOUS]->()
  RETURN 'CONTIGUOUS' AS kind, count(c) AS relationships, min(c.since) AS first_year,
         CASE WHEN count(c) > count(c.until) THEN null ELSE max(c.until) END AS last_year
  UNION ALL
  MATCH ()-[r:CMAA|MLAT|FTA]->()
  RETURN type(r) AS kind, count(r) AS relationships, min(r.since) AS first_year, null AS last_year
}
RETURN kind, relationships, first_year, last_year
ORDER BY kind
