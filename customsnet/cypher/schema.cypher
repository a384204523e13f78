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
