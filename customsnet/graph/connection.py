"""Driver, sessions, retries, and read-only versus write access.

Everything that talks to Neo4j goes through :class:`Graph`; no other module opens a driver
session. Queries are always parameterised; ``read`` runs in READ access mode (the server refuses
writes there), ``write`` in WRITE mode. Both use the driver's managed transactions, which retry
transient errors. :meth:`Graph.run_autocommit` is for the statements that only run in an
auto-commit transaction (``CALL { ... } IN TRANSACTIONS``, ``db.awaitIndexes``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit

import neo4j
from neo4j import GraphDatabase, RoutingControl

from customsnet.config import Settings
from customsnet.cypher import load_cypher
from customsnet.graph.errors import GraphError, redact_secrets, redact_uri

log = logging.getLogger(__name__)
T = TypeVar("T")

__all__ = ["Graph", "GraphError", "chunks"]


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
        # only the redacted form is kept: every message that names the server uses self.uri
        self.uri = redact_uri(uri)
        self.database = database
        if urlsplit(uri).username is not None:
            # the driver would refuse it too, quoting the whole URI, password included
            raise GraphError(
                f"the Neo4j URI {self.uri} holds credentials; give the server without them "
                "(NEO4J_URI=neo4j://host:7687) and the user and password in NEO4J_USER / NEO4J_PASSWORD"
            )
        # Server notifications (e.g. "property key does not exist" for a property no row has yet)
        # would be logged as warnings on every run of our own queries; they are not actionable.
        try:
            self._driver = GraphDatabase.driver(
                uri, auth=(user, password), max_connection_lifetime=3600, notifications_min_severity="OFF"
            )
        except (neo4j.exceptions.ConfigurationError, ValueError) as exc:
            raise GraphError(f"cannot use the Neo4j URI {self.uri}: {redact_secrets(str(exc))}") from None

    # -------------------------------------------------------------- construction
    @classmethod
    def connect(cls, settings: Settings | None = None, verify: bool = True) -> Graph:
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
            # lazy: the runtime (subprocess, filelock ...) is only needed for the managed server
            from customsnet.graph.runtime.managed import managed_connection_info

            uri, password = managed_connection_info(settings)
        graph = cls(uri, settings.user, password, settings.database)  # type: ignore[arg-type]
        if verify:
            graph.verify()
        return graph

    def verify(self) -> None:
        try:
            self._driver.verify_connectivity()
        except neo4j.exceptions.AuthError as exc:
            raise GraphError(
                f"Neo4j at {self.uri} refused the credentials: {redact_secrets(exc.message or '')}"
            ) from exc
        except (neo4j.exceptions.ServiceUnavailable, OSError) as exc:
            raise GraphError(
                f"no Neo4j answers at {self.uri}; start one with `customsnet db start` "
                f"or set NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD ({redact_secrets(str(exc))})"
            ) from exc

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------- queries
    def read(self, query: str, /, **params: Any) -> list[dict[str, Any]]:
        """Run a query in READ access mode and return its records as dicts.

        The server rejects any write in this mode, which is how ad hoc Cypher stays read-only.
        """
        records, _, _ = self._driver.execute_query(
            query, parameters_=params, routing_=RoutingControl.READ, database_=self.database
        )
        return [r.data() for r in records]

    def read_frame(self, query: str, /, **params: Any):
        """Like :meth:`read`, as a pandas DataFrame (columns in RETURN order, even when empty)."""
        return self._driver.execute_query(
            query,
            parameters_=params,
            routing_=RoutingControl.READ,
            database_=self.database,
            result_transformer_=neo4j.Result.to_df,
        )

    def write(self, query: str, /, **params: Any) -> dict[str, int]:
        """Run a query in WRITE mode; returns the summary counters (nodes_created, ...)."""
        _, summary, _ = self._driver.execute_query(
            query, parameters_=params, routing_=RoutingControl.WRITE, database_=self.database
        )
        return {k: v for k, v in vars(summary.counters).items() if isinstance(v, int) and not k.startswith("_")}

    def write_records(self, query: str, /, **params: Any) -> list[dict[str, Any]]:
        """Run a write query and return its records."""
        records, _, _ = self._driver.execute_query(
            query, parameters_=params, routing_=RoutingControl.WRITE, database_=self.database
        )
        return [r.data() for r in records]

    def run_autocommit(self, query: str, /, **params: Any) -> neo4j.EagerResult:
        """Run one statement in an auto-commit transaction (WRITE access) and return all of it.

        For statements that refuse to run inside a managed transaction: ``CALL { ... } IN
        TRANSACTIONS`` (batched deletes, ``cypher --write``) and ``CALL db.awaitIndexes()``.
        Not retried: such statements commit as they go, so a retry could apply a batch twice.
        Returns ``(records, summary, keys)`` like the driver's ``execute_query``.
        """
        with self._driver.session(database=self.database) as session:
            result = session.run(query, params)
            keys = list(result.keys())
            records = list(result)
            summary = result.consume()
        return neo4j.EagerResult(records, summary, keys)

    def run_statements(self, statements: Iterable[str], /, **params: Any) -> int:
        """:meth:`run_autocommit` each statement in turn (e.g. a split ``.cypher`` file); returns the count."""
        count = 0
        for statement in statements:
            self.run_autocommit(statement, **params)
            count += 1
        return count

    def explain(self, query: str, /, **params: Any) -> tuple[str, dict[str, Any] | None]:
        """``EXPLAIN query`` in READ access mode: the query type (``r``, ``rw``, ``w``, ``s``) and plan.

        The query is planned, never executed: nothing it would read, load or call runs.
        The plan is the driver's dict (``operatorType``, ``args``, ``children`` ...).
        """
        with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            summary = session.run("EXPLAIN " + query, params).consume()
        return summary.query_type or "", summary.plan

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
        rows = self.read(load_cypher("server_components"))
        row = rows[0]
        return {"name": row["name"], "version": row["versions"][0], "edition": row["edition"]}
