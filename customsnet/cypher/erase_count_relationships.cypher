// Number of relationships in the database (answered from the count store: instant).
MATCH ()-[r]->() RETURN count(r) AS n
