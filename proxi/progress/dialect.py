"""What differs between the database engines, in one place.

Every query in Proxi is written once, in the SQL that SQLite and PostgreSQL share, with named
parameters (`:person_id`). What they do not share is here, and only here:

- three SQL spellings, read through the connection: `in_list` (a column against a list given
  as one parameter), `json_field`, `json_object_sql`;
- each engine's way to connect, to take the write lock, to tell a busy database from a
  broken one, to build and upgrade its schema, and to read its own catalogue (the RGPD
  export and erasure find every column that points at a person by reading the schema).

`Sqlite` is the embedded file (the default); `Postgresql` is a server named by a URL. The
rest of Proxi sees neither: `proxi.progress.db.Database` holds one connection and its engine.

The query layer. Each statement's text goes to the engine's own DB-API driver: `sqlite3`
reads `:name` as written; for psycopg 3, SQLAlchemy Core compiles the text once (its
bind-parameter syntax, `%` escaping) into `%(name)s` form, cached. SQLAlchemy does not
execute: through its `Connection` a statement cost 57 µs on this machine where `sqlite3`
takes 14 µs, and a lesson step runs about 25 (docs/architecture.md, « Query layer »).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # db.py imports this module: the name only, for the annotations
    from proxi.progress.db import Database

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
BUSY_TIMEOUT_MS = 5000
# Page cache per SQLite connection, filled only as pages are read. SQLite's default (2 MB)
# kept too few of the nine `events` indexes: recording a lesson step in a 1,000,000-event
# file took 1.5 ms, 0.7 ms with 8 MB (no gain beyond). The app's pool keeps at most 8 idle
# connections.
CACHE_KIB = 8000
PRIVATE = 0o600  # every data file: personal data, readable by the app's user only


# --- The SQL spellings ----------------------------------------------------------------------


def in_list(db: Database, column_sql: str, name: str) -> str:
    """`column IN (the values of parameter :name)`, the parameter made by `list_value`.

    One parameter for the whole list keeps the SQL text the same whatever the list's length
    (one cached statement, no limit on the number of values)."""
    return db.engine.in_list(_checked(column_sql), _checked_key(name))


def list_value(db: Database, values: Iterable[object]) -> object:
    """The parameter `in_list` reads."""
    return db.engine.list_value(list(values))


def json_field(db: Database, column_sql: str, key: str) -> str:
    """The value stored under `key` in the JSON object held by a text column, as text or
    number (SQLite) or as text (PostgreSQL): compare it with text or cast it."""
    return db.engine.json_field(_checked(column_sql), _checked_key(key))


def json_object_sql(db: Database, *pairs: tuple[str, str]) -> str:
    """A JSON object built in SQL from (key, SQL expression) pairs, as text."""
    return db.engine.json_object([(_checked_key(key), expression) for key, expression in pairs])


def _checked(column_sql: str) -> str:
    # These functions take column names from the code, never from a user: fail loudly if a
    # caller ever passes anything else.
    if not _IDENTIFIER.match(column_sql):
        raise ValueError(f"not a column name: {column_sql!r}")
    return column_sql


def _checked_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"not a plain key: {key!r}")
    return key


# --- The schema, read from the engine's catalogue -------------------------------------------


def table_names(db: Database) -> list[str]:
    """The tables Proxi made (not the engine's or the migrations' record), in the order the
    database created them."""
    return db.engine.table_names(db)


def column_names(db: Database, table: str) -> list[str]:
    """The columns a row is written with, in order: all but the generated ones."""
    return db.engine.column_names(db, _checked(table))


def references_to(db: Database, table: str, target: str) -> list[str]:
    """The columns of `table` declared as foreign keys to `target`."""
    return db.engine.references_to(db, _checked(table), _checked(target))


def referenced_tables(db: Database, table: str) -> set[str]:
    """The tables that `table`'s foreign keys point at."""
    return db.engine.referenced_tables(db, _checked(table))


def applied_migrations(db: Database) -> list[str]:
    """The names of the migrations the database has, oldest first."""
    return db.engine.applied_migrations(db)


@contextlib.contextmanager
def erasing(db: Database) -> Iterator[None]:
    """Around an erasure: deleted rows do not linger in the files (see each engine)."""
    with db.engine.erasing(db):
        yield


# --- The engines ----------------------------------------------------------------------------


def engine_for(target: Path | str) -> Sqlite | Postgresql:
    """The engine of a database target: a PostgreSQL URL, else an SQLite file or ":memory:"."""
    if isinstance(target, str) and target.startswith(Postgresql.SCHEMES):
        return POSTGRESQL
    return SQLITE


class Sqlite:
    """The embedded file. WAL lets readers run while one writer writes; writers take the
    write lock up front with BEGIN IMMEDIATE (a deferred transaction that later upgrades to
    a write can fail with "database is locked" however long the busy timeout is)."""

    name = "sqlite"
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    integrity_error: type[Exception] = sqlite3.IntegrityError  # a key, NOT NULL or trigger

    def connect(self, target: Path | str, shared: bool) -> sqlite3.Connection:
        if isinstance(target, Path):
            target.parent.mkdir(parents=True, exist_ok=True)
            create_private(target)
        # isolation_level=None: no implicit transactions; a write outside write_transaction
        # is its own transaction, committed at once, as on PostgreSQL in autocommit.
        conn = sqlite3.connect(
            str(target),
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=not shared,
            isolation_level=None,
        )
        # journal_mode is stored in the file; the others are per connection.
        for setting_sql in (
            "journal_mode=WAL",
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            "foreign_keys=ON",
            "synchronous=NORMAL",
            f"cache_size=-{CACHE_KIB}",
        ):
            conn.execute(f"PRAGMA {setting_sql}")
        return conn

    def identity(self, target: Path | str) -> tuple[str, int] | None:
        """The file's name and inode: a database restored or recreated under the same name
        is another file. None for ":memory:" (every connection is its own database)."""
        if not isinstance(target, Path):
            return None
        try:
            return str(target.resolve()), os.stat(target).st_ino
        except FileNotFoundError:
            return None

    def render(self, sql: str) -> str:
        return sql

    def pipeline(self, db: Database) -> contextlib.AbstractContextManager[Any]:
        return contextlib.nullcontext()  # in-process: a statement costs no round trip

    def begin_write(self, db: Database) -> None:
        db.conn.execute("BEGIN IMMEDIATE")

    def in_transaction(self, db: Database) -> bool:
        return db.conn.in_transaction

    def is_busy(self, error: Exception) -> bool:
        message = str(error).lower()
        return isinstance(error, sqlite3.OperationalError) and (
            "locked" in message or "busy" in message
        )

    def migrate(self, db: Database) -> None:
        """Bring the file's schema up to date (the caller holds the write lock).

        A new, empty database receives the schema the migrations build, replayed from a
        copy made once per process: running every migration costs ~85 ms, and the test
        suite opens hundreds of databases. The result is the same tables, indexes and
        migration records."""
        import sqlite_utils

        from proxi.progress.schema.sqlite import MIGRATIONS

        if db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
            MIGRATIONS.apply(sqlite_utils.Database(db.conn, execute_plugins=False))
            return
        for statement in _new_sqlite_script():
            db.conn.execute(statement)

    def applied_migrations(self, db: Database) -> list[str]:
        import sqlite_utils

        from proxi.progress.schema.sqlite import MIGRATIONS

        wrapped = sqlite_utils.Database(db.conn, execute_plugins=False)
        return [migration.name for migration in MIGRATIONS.applied(wrapped)]

    def in_list(self, column_sql: str, name: str) -> str:
        return f"{column_sql} IN (SELECT value FROM json_each(:{name}))"

    def list_value(self, values: list[object]) -> object:
        return json.dumps(values)

    def json_field(self, column_sql: str, key: str) -> str:
        return f"json_extract({column_sql}, '$.{key}')"

    def json_object(self, pairs: list[tuple[str, str]]) -> str:
        return "json_object(" + ", ".join(f"'{key}', {value}" for key, value in pairs) + ")"

    def table_names(self, db: Database) -> list[str]:
        rows = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_%' ESCAPE '\\'"
            " ORDER BY rowid"
        )
        return [name for (name,) in rows]

    def column_names(self, db: Database, table: str) -> list[str]:
        # table_info leaves the generated columns out (table_xinfo would list them).
        return [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]

    def references_to(self, db: Database, table: str, target: str) -> list[str]:
        keys = db.execute(f'PRAGMA foreign_key_list("{table}")')
        return [row[3] for row in keys if row[2] == target]

    def referenced_tables(self, db: Database, table: str) -> set[str]:
        return {row[2] for row in db.execute(f'PRAGMA foreign_key_list("{table}")')}

    def bulk_insert(self, db: Database, table: str, columns: list[str], rows: list) -> None:
        names_sql = ", ".join(f'"{column}"' for column in columns)
        marks_sql = ", ".join(f":{column}" for column in columns)
        db.executemany(
            f'INSERT INTO "{table}" ({names_sql}) VALUES ({marks_sql})',
            (dict(zip(columns, row, strict=True)) for row in rows),
        )

    def after_bulk_load(self, db: Database) -> None:
        """Nothing to do: a rowid continues from the largest one in the table."""

    def after_bulk_commit(self, db: Database) -> None:
        """Nothing to do: SQLite plans from its indexes, without statistics to gather."""

    @contextlib.contextmanager
    def erasing(self, db: Database) -> Iterator[None]:
        # Deleted rows are overwritten, not just unlinked (secure_delete), and their old
        # pages leave the write-ahead log at the checkpoint after.
        previous = db.execute("PRAGMA secure_delete").fetchone()[0]
        db.execute("PRAGMA secure_delete=ON")
        try:
            yield
        finally:
            db.execute(f"PRAGMA secure_delete={int(previous)}")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@functools.cache
def _new_sqlite_script() -> tuple[str, ...]:
    """The statements that rebuild a migrated empty database (iterdump of one)."""
    import sqlite_utils

    from proxi.progress.schema.sqlite import MIGRATIONS

    scratch = sqlite3.connect(":memory:", isolation_level=None)
    scratch.execute("BEGIN")
    MIGRATIONS.apply(sqlite_utils.Database(scratch, execute_plugins=False))
    scratch.execute("COMMIT")
    script = tuple(
        line for line in scratch.iterdump() if line not in ("BEGIN TRANSACTION;", "COMMIT;")
    )
    scratch.close()
    return script


def create_private(path: Path) -> None:
    """Create `path` empty and owner-only if it does not exist (SQLite then gives its WAL
    and shared-memory files the same mode)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))


class Postgresql:
    """A PostgreSQL server, named by its URL ($PROXI_DATABASE_URL).

    Connections run in autocommit, as SQLite's do: `write_transaction` says BEGIN and
    COMMIT itself. Writers are serialised by one transaction-scoped advisory lock, the same
    guarantee SQLite's single writer gives (an idempotency check and its insert cannot
    interleave with another writer's); readers never wait for it (MVCC)."""

    name = "postgresql"
    SCHEMES = ("postgresql://", "postgres://")
    WRITERS_LOCK = 0x50524F5849  # "PROXI": the one advisory lock all writers take

    @functools.cached_property
    def errors(self) -> tuple[type[Exception], ...]:
        import psycopg

        return (psycopg.Error,)

    @functools.cached_property
    def integrity_error(self) -> type[Exception]:
        import psycopg

        return psycopg.IntegrityError

    def connect(self, target: Path | str, shared: bool) -> Any:
        import psycopg
        from psycopg.types.numeric import Int8Dumper

        conn = psycopg.connect(str(target), autocommit=True)
        # A writer waits this long for the lock, then write_transaction backs off and retries.
        conn.execute(f"SET lock_timeout = {BUSY_TIMEOUT_MS}")
        # Flags are integer columns, as on SQLite: a Python bool is stored as 0 or 1.
        conn.adapters.register_dumper(bool, Int8Dumper)
        return conn

    def identity(self, target: Path | str) -> tuple[str, int] | None:
        return str(target), 0

    def render(self, sql: str) -> str:
        return _compiled_for_psycopg(sql)

    def pipeline(self, db: Database) -> contextlib.AbstractContextManager[Any]:
        return db.conn.pipeline()

    def begin_write(self, db: Database) -> None:
        # One round trip for both (a statement without parameters may be several): each
        # costs ~0.25 ms here, and every click that records progress pays it.
        db.conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({self.WRITERS_LOCK:d})")

    def in_transaction(self, db: Database) -> bool:
        from psycopg.pq import TransactionStatus

        return db.conn.info.transaction_status != TransactionStatus.IDLE

    def is_busy(self, error: Exception) -> bool:
        import psycopg

        return isinstance(error, psycopg.errors.LockNotAvailable | psycopg.errors.QueryCanceled)

    def migrate(self, db: Database) -> None:
        """Build the schema on an empty database, then apply the migrations after the
        baseline, each from its file (the caller holds the write lock)."""
        from proxi.progress.schema.sqlite import BASELINE, MIGRATIONS

        names = [migration.name for migration in MIGRATIONS._migrations]
        schema = files("proxi.progress.schema")
        exists = db.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
        if not exists:
            db.conn.execute(schema.joinpath("postgresql.sql").read_text(encoding="utf-8"))
            done = names[: names.index(BASELINE) + 1]
            self._record(db, done)
        applied = {name for (name,) in db.execute("SELECT name FROM schema_migrations")}
        for name in names:
            if name not in applied:
                path = schema.joinpath("postgresql", f"{name}.sql")
                db.conn.execute(path.read_text(encoding="utf-8"))
                self._record(db, [name])

    def _record(self, db: Database, names: list[str]) -> None:
        from proxi.dates import iso

        db.executemany(
            "INSERT INTO schema_migrations (name, applied_at) VALUES (:name, :applied_at)",
            [{"name": name, "applied_at": iso()} for name in names],
        )

    def applied_migrations(self, db: Database) -> list[str]:
        return [name for (name,) in db.execute("SELECT name FROM schema_migrations ORDER BY name")]

    def in_list(self, column_sql: str, name: str) -> str:
        return f"{column_sql} = ANY(:{name})"

    def list_value(self, values: list[object]) -> object:
        return values  # psycopg sends a Python list as an array

    def json_field(self, column_sql: str, key: str) -> str:
        return f"(CAST({column_sql} AS jsonb) ->> '{key}')"

    def json_object(self, pairs: list[tuple[str, str]]) -> str:
        body = ", ".join(f"'{key}', {value}" for key, value in pairs)
        return f"CAST(json_build_object({body}) AS text)"

    def table_names(self, db: Database) -> list[str]:
        rows = db.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            " AND c.relname <> 'schema_migrations' ORDER BY c.oid"
        )
        return [name for (name,) in rows]

    def column_names(self, db: Database, table: str) -> list[str]:
        rows = db.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = :table"
            " AND is_generated = 'NEVER' ORDER BY ordinal_position",
            {"table": table},
        )
        return [name for (name,) in rows]

    def referenced_tables(self, db: Database, table: str) -> set[str]:
        rows = db.execute(
            "SELECT CAST(CAST(confrelid AS regclass) AS text) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = CAST(:table AS regclass)",
            {"table": table},
        )
        return {name for (name,) in rows}

    def bulk_insert(self, db: Database, table: str, columns: list[str], rows: list) -> None:
        # COPY: a million events in seconds, where one INSERT per row takes minutes.
        names_sql = ", ".join(f'"{column}"' for column in columns)
        with db.conn.cursor().copy(f'COPY "{table}" ({names_sql}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    def after_bulk_load(self, db: Database) -> None:
        """Rows copied with their ids leave each identity's sequence behind: the next id
        follows the largest one copied."""
        identities = db.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ).fetchall()
        for table, column in identities:
            db.execute(
                f"SELECT setval(pg_get_serial_sequence(:table, :column),"
                f' COALESCE((SELECT MAX("{column}") FROM "{table}"), 0) + 1, false)',
                {"table": table, "column": column},
            )

    def after_bulk_commit(self, db: Database) -> None:
        """Rows just loaded have no statistics and no visibility map until autovacuum comes:
        the planner takes the tables for empty, and every index read visits the rows too.
        A manager's path analytics on 1,000,000 copied events took 3 s, 40 ms after ANALYZE;
        VACUUM also marks the pages all-visible, for index-only reads. Outside a transaction."""
        db.execute("VACUUM (ANALYZE)")

    def references_to(self, db: Database, table: str, target: str) -> list[str]:
        rows = db.execute(
            "SELECT a.attname FROM pg_constraint k"
            " JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY(k.conkey)"
            " WHERE k.contype = 'f' AND k.conrelid = CAST(:table AS regclass)"
            " AND k.confrelid = CAST(:target AS regclass) ORDER BY a.attnum",
            {"table": table, "target": target},
        )
        return [name for (name,) in rows]

    @contextlib.contextmanager
    def erasing(self, db: Database) -> Iterator[None]:
        # A deleted row's bytes stay in its page until VACUUM reuses it; autovacuum does,
        # and docs/exploitation.md says to run VACUUM after an erasure where it matters.
        yield


@functools.lru_cache(maxsize=4096)
def _compiled_for_psycopg(sql: str) -> str:
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql

    return str(text(sql).compile(dialect=postgresql.psycopg.dialect()))


SQLITE = Sqlite()
POSTGRESQL = Postgresql()
