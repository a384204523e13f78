"""customsnet: customs-police cooperation as a time-stamped Neo4j graph, and temporal ERGMs."""

__version__ = "0.1.0"
