// Remove agreements that no file names any more (their last claim was withdrawn by a new version
// of its file, or rolled back), with their pairwise ties and PARTY_TO.
// :param {rows: ['cmaa:DEU-JPN:2014-11-19']}
UNWIND $rows AS id
MATCH (a:Agreement {id: id})
WHERE NOT EXISTS { (a)-[c:FROM_SOURCE]->(:Source) WHERE c.key IS NOT NULL }
OPTIONAL MATCH (c1:Country)-[:PARTY_TO]->(a)<-[:PARTY_TO]-(c2:Country)
WHERE c1.iso3 < c2.iso3
OPTIONAL MATCH (c1)-[tie]->(c2)
WHERE tie.agreement = a.id
DELETE tie
WITH DISTINCT a
DETACH DELETE a
