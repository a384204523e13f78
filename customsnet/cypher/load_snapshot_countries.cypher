// Rollback copy of the countries a load may update (their properties before it writes).
// :param {iso3s: ['AFG', 'ALB']}
MATCH (c:Country)
WHERE c.iso3 IN $iso3s
RETURN 'node' AS kind, elementId(c) AS id, properties(c) AS props
