"""A database connection for the running script, taken from a small pool.

Streamlit starts a NEW thread for every script run (a ScriptRunner per rerun), so a
connection kept per thread was opened, tuned and checked for migrations on every click
(~1 ms of a phone's poll, a fifth of it). The pool keeps those connections: a run's thread
takes one on its first db() call and keeps it for the whole run; when the thread ends, its
thread-local lease is freed and gives the connection back. A connection is thus used by one
thread at a time, never by two at once. Never in st.cache_resource.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

from proxi.progress.db import Database, database_path, open_db
from proxi.progress.dialect import engine_for

IDLE_PER_FILE = 8  # beyond that, a burst's extra connections are closed, not kept

_local = threading.local()
_idle: dict[tuple[str, int], list[Database]] = {}
_idle_lock = threading.Lock()


class _Lease:
    """One thread's connections; freed with the thread's locals when the thread ends."""

    def __init__(self) -> None:
        self.connections: dict[object, tuple[object, Database]] = {}

    def __del__(self) -> None:
        for key, database in self.connections.values():
            if isinstance(key, tuple):
                _give_back(key, database)


def db() -> Database:
    """The connection of this run (and of its thread) to the configured database."""
    path = database_path()
    lease = getattr(_local, "lease", None)
    if lease is None:
        lease = _local.lease = _Lease()
    taken = lease.connections.get(str(path))
    if taken is None or (isinstance(taken[0], tuple) and taken[0] != _file_key(path)):
        taken = lease.connections[str(path)] = _take(path)
    return taken[1]


@contextlib.contextmanager
def borrowed() -> Iterator[Database]:
    """A pooled connection for code that runs outside a script run (an HTTP route, in
    Starlette's thread pool), given back as soon as it is done."""
    key, database = _take(database_path())
    try:
        yield database
    finally:
        if isinstance(key, tuple):
            _give_back(key, database)
        else:
            database.close()


def _file_key(path: Path | str) -> tuple[str, int] | None:
    """Which database: an SQLite file by name and inode (restored or recreated under the
    same name, it is another file, and a pooled connection to the old one must not serve
    it), a server by its URL; None for ":memory:", never pooled."""
    return engine_for(path).identity(path)


def _take(path: Path | str) -> tuple[object, Database]:
    key = _file_key(path)
    with _idle_lock:
        idle = _idle.get(key, []) if key else []
        if idle:
            return key, idle.pop()
    database = open_db(path, shared=isinstance(path, Path))
    return _file_key(path) or object(), database


def _give_back(key: tuple[str, int], database: Database) -> None:
    with contextlib.suppress(*database.engine.errors):
        if database.in_transaction:  # a run stopped mid-write: never hand that on
            database.rollback()
        with _idle_lock:
            for other in [k for k in _idle if k[0] == key[0] and k != key]:
                for stale in _idle.pop(other):  # the file was replaced: its old inode's
                    stale.close()
            idle = _idle.setdefault(key, [])
            if len(idle) < IDLE_PER_FILE:
                idle.append(database)
                return
        database.close()


def idle_count(path: Path | str) -> int:
    """Connections waiting in the pool for this file (for the tests)."""
    key = _file_key(Path(path))
    with _idle_lock:
        return len(_idle.get(key, [])) if key else 0
