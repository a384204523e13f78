// Remove a run's predicted partners (before rewriting them, so reruns converge).
// :param run_id => 'demo-1'
MATCH ()-[p:PREDICTED_PARTNER {run: $run_id}]->()
DELETE p
