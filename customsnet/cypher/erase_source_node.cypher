// Last step of unloading a source: delete its Source node (and any links left on it).
// :param {name: 'vdem:vdemlite_v14'}
MATCH (s:Source {name: $name}) DETACH DELETE s
