// Agreements whose claim by this source is stale (another version): re-derived after load_stale.
// :param {source: 'cmaa:x', version: '0123456789abcdef'}
MATCH (a:Agreement)-[c:FROM_SOURCE]->(:Source {name: $source})
WHERE c.version <> $version
RETURN a.id AS id
