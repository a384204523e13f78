// Years the loaded dyadic sources cover: outside them a covariate is missing, not zero; and
// how many agreement ties lack a signing / in-force year.
// Contiguity lists only contiguous dyads, so a dyad without a spell is 0 only inside the
// span of the contiguity data (last_year null = some spell is still open); an agreement type
// with no relationships at all was not loaded, so its covariate is missing rather than 0.
// :param {}
CALL () {
  MATCH ()-[c:CONTIGUOUS]->()
  RETURN 'CONTIGUOUS' AS kind, count(c) AS relationships, min(c.since) AS first_year,
         CASE WHEN count(c) > count(c.until) THEN null ELSE max(c.until) END AS last_year,
         count(c) - count(c.until) AS open_spells, max(c.until) AS last_closed,
         0 AS undated_signed, 0 AS undated_in_force, 0 AS undated_both,
         0 AS agreements, 0 AS undated_signed_agreements, 0 AS undated_in_force_agreements, 0 AS undated_both_agreements
  UNION ALL
  // ties without a signing (in-force) year are in no year's network on that basis: report them
  MATCH ()-[r:CMAA|MLAT|FTA]->()
  RETURN type(r) AS kind, count(r) AS relationships, min(r.since) AS first_year, null AS last_year,
         0 AS open_spells, null AS last_closed,
         count(r) - count(r.since) AS undated_signed, count(r) - count(r.in_force) AS undated_in_force,
         count(r) - count(coalesce(r.since, r.in_force)) AS undated_both,
         count(DISTINCT r.agreement) AS agreements,
         count(DISTINCT CASE WHEN r.since IS NULL THEN r.agreement END) AS undated_signed_agreements,
         count(DISTINCT CASE WHEN r.in_force IS NULL THEN r.agreement END) AS undated_in_force_agreements,
         count(DISTINCT CASE WHEN r.since IS NULL AND r.in_force IS NULL THEN r.agreement END) AS undated_both_agreements
}
RETURN kind, relationships, first_year, last_year, open_spells, last_closed, undated_signed, undated_in_force,
       undated_both, agreements, undated_signed_agreements, undated_in_force_agreements, undated_both_agreements
ORDER BY kind
