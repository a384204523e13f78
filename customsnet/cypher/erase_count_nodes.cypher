// Number of nodes in the database (answered from the count store: instant).
MATCH (n) RETURN count(n) AS n
