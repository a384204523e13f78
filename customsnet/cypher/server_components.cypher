// Name, version and edition of the server (Neo4j Kernel 5.26.x community).
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions, edition
