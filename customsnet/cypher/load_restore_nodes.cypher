// Rollback: put back the properties a failed load overwrote on nodes that existed before it.
// :param {rows: [{id: '4:…:0', props: {iso3: 'AFG'}}]}
UNWIND $rows AS row
MATCH (n)
WHERE elementId(n) = row.id
SET n = row.props
