// Pairwise ties and PARTY_TO of derived agreements (after load_agreements_reconcile.cypher) take
// the agreement's years and provenance. A load writes its own rows' values into them, so only
// agreements another file also names (or whose best claim is another file's) need this, unless
// $all (after a rollback or clean-up, when the written values may belong to no claim left).
// :param {rows: ['cmaa:DEU-JPN:2014-11-19'], source: 'cmaa:x', all: false}
UNWIND $rows AS id
MATCH (a:Agreement {id: id})
WHERE ($all OR size(a.sources) > 1 OR a.source <> $source)
  AND EXISTS { (a)-[c:FROM_SOURCE]->(:Source) WHERE c.key IS NOT NULL }
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
