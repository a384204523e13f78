// Wait until every index is online (schema writes return before population); $seconds at most.
CALL db.awaitIndexes($seconds)
