// Last step of `unload`: delete the Source node (never the loader's built-in "customsnet" Source).
// :param {name: 'vdem:vdemlite_v14'}
MATCH (s:Source {name: $name}) WHERE s.name <> 'customsnet' DETACH DELETE s
