"""Driver, sessions, retries, and read-only versus write access.

Everything that talks to Neo4j goes through :class:`Graph`. Queries are always
parameterised; ``read`` runs in READ access mode (the server refuses writes there), ``write``
in WRITE mode. Both use the driver's managed transactions, which retry transient errors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import neo4j
from neo4j import GraphDatabase, RoutingControl

from customsnet.config import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


class GraphError(RuntimeError):
    """Neo4j could not be reached or refused a query; the message says what to do."""


def chunks(rows: Sequence[T] | Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items."""
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Graph:
    """A connection to one Neo4j database.

    Build it with :meth:`connect` (settings from the environment / managed server) or directly
    from a URI and credentials. Use as a context manager to close the driver.
    """

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j") -> None:
        self.uri = uri
        self.database = database
        # Server notifications (e.g. "property key does not exist" for a property no row has yet)
        # would be logged as warnings on every run of our own queries; they are not actionable.
        self._driver = GraphDatabase.driver(
            uri, auth=(user, password), max_connection_lifetime=3600, notifications_min_severity="OFF"
        )

    # -------------------------------------------------------------- construction
    @classmethod
    def connect(cls, settings: Settings | None = None, verify: bool = True) -> "Graph":
        """Connect to the configured server: ``NEO4J_URI`` if set, else the managed local one.

        Does not start a server (``customsnet db start`` does); raises :class:`GraphError`
        with a hint when nothing answers.
        """
        settings = settings or Settings.from_env()
        if settings.external:
            uri, password = settings.uri, settings.password
            if not password:
                raise GraphError("NEO4J_URI is set but NEO4J_PASSWORD is not")
        else:
            from customsnet.graph.server import managed_connection_info

            uri, password = managed_connection_info(settings)
        graph = cls(uri, settings.user, password, settings.database)  # type: ignore[arg-type]
        if verify:
            graph.verify()
        return graph

    def verify(self) -> None:
        try:
            self._driver.verify_connectivity()
        except neo4j.exceptions.AuthError as exc:
            raise GraphError(f"Neo4j at {self.uri} refused the credentials: {exc.message}") from exc
        except (neo4j.exceptions.ServiceUnavailable, OSError) as exc:
            raise GraphError(
                f"no Neo4j answers at {self.uri}; start one with `customsnet db start` "
                f"or set NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD ({exc})"
            ) from exc

    @property
    def driver(self) -> neo4j.Driver:
        return self._driver

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> "Graph":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------- queries
    def read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run a query in READ access mode and return its records as dicts.

        The server rejects any write in this mode, which is how ad hoc Cypher stays read-only.
        """
        records, _, _ = self._driver.execute_query(
            query, parameters_=params, routing_=RoutingControl.READ, database_=self.database
        )
        return [r.data() for r in records]

    def read_frame(self, query: str, **params: Any):
        """Like :meth:`read`, as a pandas DataFrame (columns in RETURN order, even when empty)."""
        return self._driver.execute_query(
            query,
            parameters_=params,
            routing_=RoutingControl.READ,
            database_=self.database,
            result_transformer_=neo4j.Result.to_df,
        )

    def write(self, query: str, **params: Any) -> dict[str, int]:
        """Run a query in WRITE mode; returns the summary counters (nodes_created, ...)."""
        _, summary, _ = self._driver.execute_query(
            query, parameters_=params, routing_=RoutingControl.WRITE, database_=self.database
        )
        return {k: v for k, v in vars(summary.counters).items() if isinstance(v, int) and not k.startswith("_")}

    def write_records(self, query: str, **params: Any) -> list[dict[str, Any]]:
        """Run a write query and return its records."""
        records, _, _ = self._driver.execute_query(
            query, parameters_=params, routing_=RoutingControl.WRITE, database_=self.database
        )
        return [r.data() for r in records]

    def write_batches(
        self,
        query: str,
        rows: Iterable[dict[str, Any]],
        batch_size: int = 5000,
        progress: Callable[[int], None] | None = None,
        **params: Any,
    ) -> int:
        """Run ``UNWIND $rows AS row ...`` once per batch, each batch its own managed transaction.

        Returns the number of rows sent. ``progress`` is called with each batch's size.
        """
        sent = 0
        for batch in chunks(rows, batch_size):
            self._driver.execute_query(
                query, parameters_={**params, "rows": batch}, routing_=RoutingControl.WRITE, database_=self.database
            )
            sent += len(batch)
            if progress:
                progress(len(batch))
        return sent

    def execute_write(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``work(tx, *args, **kwargs)`` in one managed write transaction (retried if transient)."""
        with self._driver.session(database=self.database) as session:
            return session.execute_write(work, *args, **kwargs)

    def execute_read(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            return session.execute_read(work, *args, **kwargs)

    def server_info(self) -> dict[str, str]:
        """Version and edition as reported by ``dbms.components()``."""
        rows = self.read("CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition")
        row = rows[0]
        return {"name": row["name"], "version": row["versions"][0], "edition": row["edition"]}
