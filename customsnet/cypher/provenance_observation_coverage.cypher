// For each variable and source: the last year that source has a (non-null) value of the variable.
// :param {variables: ['v2x_polyarchy']}
MATCH (o:Observation) WHERE o.variable IN $variables AND o.value IS NOT NULL
RETURN o.variable AS variable, o.source AS source, max(o.year) AS last
