// Derive agreements from their claims (load_agreements.cypher): the best-dated claim gives the
// node's title and dates (a signing date beats a signing year beats neither; then an
// entry-into-force date; then the source name), `sources` lists every file that names it. Then
// the pairwise ties of each agreement take its years. Agreements no claim names any more are
// removed with their PARTY_TO and ties.
// :param {rows: ['cmaa:DEU-JPN:2014-11-19']}
UNWIND $rows AS id
MATCH (a:Agreement {id: id})
OPTIONAL MATCH (a)-[c:FROM_SOURCE]->(:Source)
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
WITH a
MATCH (c1:Country)-[p1:PARTY_TO]->(a)<-[p2:PARTY_TO]-(c2:Country)
WHERE c1.iso3 < c2.iso3
SET p1.source = a.source, p1.row = a.row, p1.version = a.version,
    p2.source = a.source, p2.row = a.row, p2.version = a.version
WITH a, c1, c2
MATCH (c1)-[tie]->(c2)
WHERE tie.agreement = a.id
SET tie.since = a.year_signed,
    tie.in_force = a.in_force.year,
    tie.until = a.terminated.year,
    tie.source = a.source,
    tie.sources = a.sources,
    tie.row = a.row,
    tie.version = a.version
