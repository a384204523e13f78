// Rollback: put back the properties a failed load overwrote on relationships that existed before.
// :param {rows: [{id: '5:…:0', props: {year: 1990}}]}
UNWIND $rows AS row
MATCH ()-[r]->()
WHERE elementId(r) = row.id
SET r = row.props
