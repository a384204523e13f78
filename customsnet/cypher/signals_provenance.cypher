// Which loaded sources provided the facts an export of years [from, to] uses, and whether each
// is synthetic. Kinds: MEMBER_OF_SYSTEM (node sets), the agreement types asked for (outcome and
// network covariates; any date: an undated or later agreement still decides "already tied"),
// the attributes asked for in the lagged years [from_lag, to_lag], TRADE in those years, and
// CONTIGUOUS. A Source is synthetic when it says so (`synthetic: true`) or its file name carries
// the demo's SYNTHETIC marker (customsnet/demo/files.py names every demo file so).
// :param {from: 1990, to: 2020, from_lag: 1989, to_lag: 2019, types: ['CMAA', 'MLAT', 'FTA'], variables: ['polyarchy']}
CALL () {
  MATCH ()-[m:MEMBER_OF_SYSTEM]->()
  WHERE m.since <= $to AND (m.until IS NULL OR m.until >= $from)
  RETURN 'MEMBER_OF_SYSTEM' AS kind, m.source AS source, count(*) AS facts
  UNION ALL
  MATCH ()-[r:CMAA|MLAT|FTA]->()
  WHERE type(r) IN $types
  RETURN type(r) AS kind, r.source AS source, count(*) AS facts
  UNION ALL
  MATCH (o:Observation)
  WHERE o.variable IN $variables AND o.year >= $from_lag AND o.year <= $to_lag
  RETURN o.variable AS kind, o.source AS source, count(*) AS facts
  UNION ALL
  MATCH ()-[t:TRADE]->()
  WHERE t.year >= $from_lag AND t.year <= $to_lag
  RETURN 'TRADE' AS kind, t.source AS source, count(*) AS facts
  UNION ALL
  MATCH ()-[c:CONTIGUOUS]->()
  RETURN 'CONTIGUOUS' AS kind, c.source AS source, count(*) AS facts
}
OPTIONAL MATCH (s:Source {name: source})
RETURN kind, source, facts, s.file AS file, s.layout AS layout, s.version AS version,
       coalesce(s.synthetic, false) OR coalesce(s.file, source, '') CONTAINS 'SYNTHETIC' AS synthetic
ORDER BY kind, source
