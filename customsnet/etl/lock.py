"""One writer at a time: a lock node in the graph that every load (and unload) holds while it writes.

Two loads running at once could see each other's half-written state (a rollback deleting a country
that the other load just attached facts to, a stale-row clean-up racing a fresh write), so the
loader refuses a second writer with a clear message instead. The lock is the node
``(:LoadLock {name: 'customsnet'})``; it exists only while a load holds it.

A holder that died without releasing (``kill -9``, a crashed machine) leaves the node behind. It
counts as stale, and the next load takes it over, when the holder ran on this host and its process
is gone, or when its heartbeat (renewed while the load writes) is older than
:data:`LOCK_TIMEOUT_SECONDS`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from customsnet.cypher import load_cypher
from customsnet.graph.connection import Graph

log = logging.getLogger(__name__)

#: a holder whose heartbeat is older than this is taken to be dead (it renews every HEARTBEAT_SECONDS)
LOCK_TIMEOUT_SECONDS = 600.0
HEARTBEAT_SECONDS = 15.0


class LoadLockedError(RuntimeError):
    """Another load holds the graph's load lock; the message names it and says what to do."""


@dataclass
class LockHolder:
    """Who holds the lock (as stored on the lock node)."""

    load_id: str
    source: str
    host: str
    pid: int
    started: dt.datetime | None
    heartbeat: dt.datetime | None

    def describe(self) -> str:
        started = f", started {self.started:%Y-%m-%d %H:%M:%S} UTC" if self.started else ""
        return f"load of {self.source} (load_id {self.load_id}, pid {self.pid} on {self.host}{started})"


def process_alive(pid: int) -> bool:
    """True when a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def holder_is_stale(
    holder: LockHolder, now: dt.datetime, host: str | None = None, timeout: float = LOCK_TIMEOUT_SECONDS
) -> bool:
    """Whether a lock holder is dead: its process is gone (same host) or its heartbeat timed out."""
    # this process holds no lock between loads: a lock in its name is one it failed to release
    same_host = holder.host == (host or socket.gethostname())
    if same_host and (holder.pid == os.getpid() or not process_alive(holder.pid)):
        return True
    beat = holder.heartbeat or holder.started
    return beat is None or (now - beat).total_seconds() > timeout


@dataclass
class LoadLock:
    """The held lock: renew it with :meth:`heartbeat` while writing (throttled, cheap to call often)."""

    graph: Graph
    load_id: str
    #: the stale holder this lock was taken over from, if any (its load never finished)
    took_over: LockHolder | None = None
    _last_beat: float = field(default_factory=time.monotonic)

    def heartbeat(self, force: bool = False) -> None:
        if force or time.monotonic() - self._last_beat >= HEARTBEAT_SECONDS:
            self.graph.write(load_cypher("lock_heartbeat"), load_id=self.load_id)
            self._last_beat = time.monotonic()


def _holder(row: dict) -> LockHolder | None:
    if row.get("load_id") is None:
        return None

    def as_native(value):
        return value.to_native() if hasattr(value, "to_native") else value

    return LockHolder(
        row["load_id"],
        row["source"] or "?",
        row["host"] or "?",
        int(row["pid"] or 0),
        as_native(row["started"]),
        as_native(row["heartbeat"]),
    )


def acquire(graph: Graph, load_id: str, source: str) -> LoadLock:
    """Take the load lock for ``load_id``, taking over a stale one; :class:`LoadLockedError` if held."""
    host, pid = socket.gethostname(), os.getpid()
    expected: str | None = None  # the holder we believe is there (None: free)
    stale: LockHolder | None = None
    for _ in range(5):  # another writer may change the lock between our read and our claim
        row = graph.write_records(
            load_cypher("lock_acquire"), load_id=load_id, source=source, host=host, pid=pid, expected=expected
        )[0]
        if row["acquired"]:
            return LoadLock(graph, load_id, took_over=stale)
        holder = _holder(row)
        if holder is None:  # released meanwhile
            expected, stale = None, None
            continue
        now = row["now"].to_native()
        if not holder_is_stale(holder, now, host):
            raise LoadLockedError(
                f"another {holder.describe()} is writing to this graph; wait for it to finish. If that process "
                f"is gone, its lock counts as stale {LOCK_TIMEOUT_SECONDS:.0f} s after its last heartbeat"
            )
        expected, stale = holder.load_id, holder
    raise LoadLockedError("the load lock changed hands five times while being taken; retry")


def release(graph: Graph, load_id: str) -> None:
    """Give the lock back (only if ``load_id`` still holds it)."""
    graph.write(load_cypher("lock_release"), load_id=load_id)


@contextmanager
def load_lock(graph: Graph, load_id: str, source: str) -> Iterator[LoadLock]:
    """Hold the graph's load lock for the duration of the block (released even on error).

    If releasing fails (the server is gone), the lock stays behind and the next writer on this host
    takes it over at once (this process will have ended), others after the heartbeat timeout.
    """
    lock = acquire(graph, load_id, source)
    try:
        yield lock
    finally:
        try:
            release(graph, load_id)
        except Exception as error:  # noqa: BLE001 - never mask the load's own error; the lock goes stale instead
            log.warning(
                "could not release the load lock %s (%s); it counts as stale once this process ends", load_id, error
            )
