// Derive agreements from their claims (load_agreements.cypher): the best-dated claim gives the
// node's title and dates (a signing date beats a signing year beats neither; then an
// entry-into-force date; then the source name), `sources` lists every file that names it.
// load_agreements_reconcile_ties.cypher then gives the agreement's ties and PARTY_TO its years.
// :param {rows: ['cmaa:DEU-JPN:2014-11-19']}
UNWIND $rows AS id
MATCH (a:Agreement {id: id})
OPTIONAL MATCH (a)-[c:FROM_SOURCE]->(:Source)
WHERE c.key IS NOT NULL  // a claim (graphs loaded before claims had unkeyed links: not claims)
WITH a, c
ORDER BY a.id, c.signed IS NULL, c.year_signed IS NULL, c.in_force IS NULL, c.source
WITH a, collect(c) AS claims
WITH a, claims, claims[0] AS best
WHERE best IS NOT NULL
SET a.title = best.title,
    a.signed = best.signed,
    a.year_signed = coalesce(best.year_signed, best.signed.year),
    a.in_force = best.in_force,
    a.terminated = best.terminated,
    a.source_url = best.source_url,
    a.source = best.source,
    a.sources = [claim IN claims | claim.source],
    a.row = best.row,
    a.version = best.version
