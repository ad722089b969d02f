"""The one database opener: which database, one connection to it, and how to write.

Every part of Proxi gets its `Database` from `open_db`, and every writer wraps its work in
`write_transaction`. The database is the embedded SQLite file by default (progress/progress.db,
or $PROXI_DB), or a PostgreSQL server when $PROXI_DATABASE_URL names one; what differs between
the two lives in `proxi.progress.dialect`, and nowhere else. One exception: `proxi.ops.backup`
opens an SQLite file with `sqlite3` itself, because a backup must copy it exactly as it is
(`open_db` would migrate it first); it then restores through `open_db`.

Threads. An SQLite connection refuses to be used from a thread other than the one that
opened it, unless opened `shared`. A CLI command or an HTTP request opens one connection and
closes it at the end: `with open_db() as db: ...`. The app keeps a POOL
(`app_pages/connection.py`): Streamlit starts a new thread for each script run; the run takes
a connection on its first use and gives it back when its thread ends, so a connection serves
one thread at a time, never two at once: do not put a Database in `st.cache_resource`.

Concurrency. Readers never wait for writers. Writers take the write lock up front
(`dialect`: BEGIN IMMEDIATE on SQLite, one advisory lock on PostgreSQL), wait up to the busy
timeout, and `write_transaction` retries with backoff past that, so a burst of writers queues
instead of failing.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import random
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from proxi.errors import ProxiError
from proxi.progress import dialect
from proxi.progress.dialect import (  # noqa: F401 (re-exported: backup, tests)
    BUSY_TIMEOUT_MS,
    CACHE_KIB,
    PRIVATE,
    create_private,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = REPO_ROOT / "progress" / "progress.db"
# Backoff for write_transaction, on top of the engine's own busy wait.
WRITE_ATTEMPTS = 8
FIRST_BACKOFF_S = 0.05

_migrated: set[tuple[str, int]] = set()
_migrate_lock = threading.Lock()
_savepoints = itertools.count()


class DatabaseBusy(ProxiError):
    """The database stayed locked by other writers for too long."""


class Database:
    """One connection to the store, and its engine.

    `execute(sql, params)` runs one statement written with named parameters (`:name`) and
    returns the driver's cursor (`fetchone`, `fetchall`, iteration, `rowcount`,
    `description`); `executemany` runs one statement for each mapping of values. A write
    outside `write_transaction` is committed at once."""

    def __init__(self, conn: Any, engine: dialect.Sqlite | dialect.Postgresql) -> None:
        self.conn = conn
        self.engine = engine

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.conn.execute(self.engine.render(sql), params or {})

    def executemany(self, sql: str, rows: Iterable[Mapping[str, Any]]) -> None:
        self.conn.cursor().executemany(self.engine.render(sql), rows)

    def pipelined(self) -> contextlib.AbstractContextManager[Any]:
        """Statements executed in the block travel together and are answered together
        (PostgreSQL's pipeline: one round trip for the lot, ~0.25 ms each here); read a
        cursor's rows after the block. On SQLite, in-process, nothing changes."""
        return self.engine.pipeline(self)

    @property
    def in_transaction(self) -> bool:
        return self.engine.in_transaction(self)

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def database_path(path: str | Path | None = None) -> Path | str:
    """The database to open: the argument, else $PROXI_DATABASE_URL, else $PROXI_DB, else
    progress/progress.db. A PostgreSQL URL and ":memory:" are returned as they are."""
    chosen = (
        path
        if path is not None
        else os.environ.get("PROXI_DATABASE_URL") or os.environ.get("PROXI_DB") or DEFAULT_PATH
    )
    if str(chosen) == ":memory:" or dialect.engine_for(str(chosen)) is dialect.POSTGRESQL:
        return str(chosen)
    return Path(chosen)


def open_private(path: str | Path, mode: str = "wb"):
    """Open a data file for writing, owner-only whether it is new or replaced (exports)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    os.fchmod(fd, PRIVATE)
    return os.fdopen(fd, mode)


def open_db(path: str | Path | None = None, shared: bool = False) -> Database:
    """Open (creating if need be) the database, tuned and migrated. One per thread;
    `shared`: handed from thread to thread by the app's pool, used by one at a time."""
    target = database_path(path)
    engine = dialect.engine_for(target)
    db = Database(engine.connect(target, shared), engine)
    _migrate_once(db, target)
    return db


def _migrate_once(db: Database, target: Path | str) -> None:
    """Apply pending migrations the first time this process opens this database."""
    key = db.engine.identity(target)
    if key is None:
        apply_migrations(db)  # every in-memory database is a new one
        return
    with _migrate_lock:
        if key not in _migrated:
            apply_migrations(db)
            _migrated.add(key)


def apply_migrations(db: Database) -> None:
    """Bring the schema up to date; safe to call again (applied ones are skipped)."""
    # Under the write lock, two processes starting together cannot both apply one migration.
    with write_transaction(db):
        db.engine.migrate(db)


def inserted_id(cursor: Any) -> int:
    """The id an `INSERT ... RETURNING id` gave back. `RETURNING` is the SQL both engines
    share (`lastrowid` is SQLite's alone); reading the row also ends the statement, which a
    commit needs."""
    row = cursor.fetchone()
    if row is None:
        raise RuntimeError("no row was inserted")
    return int(row[0])


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run the block in one write transaction: all of it is committed, or none of it.

    Nested use joins the outer transaction through a savepoint.
    """
    if db.in_transaction:
        with _savepoint(db):
            yield db
        return
    _begin_write(db)
    try:
        yield db
    except BaseException:
        _rollback(db)
        raise
    _commit(db)


@contextlib.contextmanager
def _savepoint(db: Database) -> Iterator[None]:
    savepoint_sql = f"proxi_{next(_savepoints)}"
    db.conn.execute(f"SAVEPOINT {savepoint_sql}")
    try:
        yield
    except BaseException:
        db.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint_sql}")
        db.conn.execute(f"RELEASE SAVEPOINT {savepoint_sql}")
        raise
    db.conn.execute(f"RELEASE SAVEPOINT {savepoint_sql}")


def _rollback(db: Database) -> None:
    # Some errors (disk full, an interrupt) already ended the transaction: rolling back
    # again would raise and hide the real error.
    if db.in_transaction:
        db.rollback()


def _begin_write(db: Database) -> None:
    delay = FIRST_BACKOFF_S
    for attempt in range(WRITE_ATTEMPTS):
        try:
            db.engine.begin_write(db)
            return
        except db.engine.errors as error:
            _rollback(db)
            if not db.engine.is_busy(error) or attempt == WRITE_ATTEMPTS - 1:
                raise _busy_or(db, error) from error
        # Jitter, so writers released together do not collide again together.
        time.sleep(delay * (1 + random.random()))
        delay *= 2


def _commit(db: Database) -> None:
    # In SQLite's WAL mode the lock is already ours, but a checkpoint can still report
    # busy once.
    for attempt in range(WRITE_ATTEMPTS):
        try:
            db.conn.execute("COMMIT")
            return
        except db.engine.errors as error:
            if not db.engine.is_busy(error) or attempt == WRITE_ATTEMPTS - 1:
                _rollback(db)
                raise _busy_or(db, error) from error
            time.sleep(FIRST_BACKOFF_S)


def _busy_or(db: Database, error: Exception) -> Exception:
    if db.engine.is_busy(error):
        return DatabaseBusy(
            "La base de données est très sollicitée en ce moment. Réessayez dans un instant."
        )
    return error
