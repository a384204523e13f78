// customsnet graph schema (docs/graph-model.md): uniqueness constraints on node keys, range
// indexes for the per-year lookups. Every statement is idempotent (IF NOT EXISTS).

CREATE CONSTRAINT country_iso3 IF NOT EXISTS
FOR (c:Country) REQUIRE c.iso3 IS UNIQUE;

CREATE CONSTRAINT system_name IF NOT EXISTS
FOR (s:System) REQUIRE s.name IS UNIQUE;

CREATE CONSTRAINT agreement_id IF NOT EXISTS
FOR (a:Agreement) REQUIRE a.id IS UNIQUE;

CREATE CONSTRAINT observation_key IF NOT EXISTS
FOR (o:Observation) REQUIRE o.key IS UNIQUE;

CREATE CONSTRAINT source_name IF NOT EXISTS
FOR (s:Source) REQUIRE s.name IS UNIQUE;

CREATE INDEX observation_variable_year IF NOT EXISTS
FOR (o:Observation) ON (o.variable, o.year);

CREATE INDEX trade_year IF NOT EXISTS
FOR ()-[r:TRADE]-() ON (r.year);

CREATE INDEX cmaa_since IF NOT EXISTS
FOR ()-[r:CMAA]-() ON (r.since);

CREATE INDEX mlat_since IF NOT EXISTS
FOR ()-[r:MLAT]-() ON (r.since);

CREATE INDEX fta_since IF NOT EXISTS
FOR ()-[r:FTA]-() ON (r.since);

// Every fact relationship the loader writes carries a `key` (docs/graph-model.md, "Keys"): MERGE
// finds it through this index instead of scanning a country's thousands of TRADE/FTA ties.
CREATE CONSTRAINT member_of_system_key IF NOT EXISTS
FOR ()-[r:MEMBER_OF_SYSTEM]-() REQUIRE r.key IS UNIQUE;

CREATE CONSTRAINT party_to_key IF NOT EXISTS
FOR ()-[r:PARTY_TO]-() REQUIRE r.key IS UNIQUE;

CREATE CONSTRAINT cmaa_key IF NOT EXISTS
FOR ()-[r:CMAA]-() REQUIRE r.key IS UNIQUE;

CREATE CONSTRAINT mlat_key IF NOT EXISTS
FOR ()-[r:MLAT]-() REQUIRE r.key IS UNIQUE;

CREATE CONSTRAINT fta_key IF NOT EXISTS
FOR ()-[r:FTA]-() REQUIRE r.key IS UNIQUE;

CREATE CONSTRAINT trade_key IF NOT EXISTS
FOR ()-[r:TRADE]-() REQUIRE r.key IS UNIQUE;

CREATE CONSTRAINT contiguous_key IF NOT EXISTS
FOR ()-[r:CONTIGUOUS]-() REQUIRE r.key IS UNIQUE;

// Agreement claims (load_agreements.cypher): one FROM_SOURCE per source and agreement, found by key.
CREATE CONSTRAINT from_source_key IF NOT EXISTS
FOR ()-[r:FROM_SOURCE]-() REQUIRE r.key IS UNIQUE;

// The load lock (customsnet/etl/lock.py): at most one node, so two loads cannot both create it.
CREATE CONSTRAINT load_lock_name IF NOT EXISTS
FOR (l:LoadLock) REQUIRE l.name IS UNIQUE;

// A source's own facts, found by their `source` (load_count_facts, load_stale, load_snapshot_facts,
// load_rollback, unload): without these every load scans all 400k TRADE of the shared data, whichever
// source it loads. One index per type, as the planner seeks a relationship index for one type only.
CREATE INDEX observation_source IF NOT EXISTS
FOR (o:Observation) ON (o.source);

CREATE INDEX trade_source IF NOT EXISTS
FOR ()-[r:TRADE]-() ON (r.source);

CREATE INDEX contiguous_source IF NOT EXISTS
FOR ()-[r:CONTIGUOUS]-() ON (r.source);

CREATE INDEX member_of_system_source IF NOT EXISTS
FOR ()-[r:MEMBER_OF_SYSTEM]-() ON (r.source);

CREATE INDEX from_source_source IF NOT EXISTS
FOR ()-[r:FROM_SOURCE]-() ON (r.source);
