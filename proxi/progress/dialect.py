"""The SQL that differs between database engines, in one place.

Every query in Proxi is written once, in the SQL that SQLite and PostgreSQL share, with named
parameters (`:person_id`). What they do not share is spelt by a function here, so a query
reads `f"WHERE {in_list('p.id', 'ids')}"` and the engine-specific text lives in this module
only. Today the store is SQLite; the PostgreSQL spellings join these functions, not the
queries (see docs/architecture.md, « Query layer »).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the content checks import in_list's module chain without the store
    from proxi.progress.db import Database

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def in_list(column_sql: str, name: str) -> str:
    """`column IN (the values of parameter :name)`, the parameter made by `list_value`.

    One parameter for the whole list keeps the SQL text the same whatever the list's length
    (one cached statement, no limit on the number of values)."""
    return f"{_checked(column_sql)} IN (SELECT value FROM json_each(:{_checked_key(name)}))"


def list_value(values: Iterable[object]) -> str:
    """The parameter `in_list` reads: the values as one JSON array."""
    return json.dumps(list(values))


def json_field(column_sql: str, key: str) -> str:
    """The text or number stored under `key` in the JSON object held by a text column."""
    return f"json_extract({_checked(column_sql)}, '$.{_checked_key(key)}')"


def json_object_sql(*pairs: tuple[str, str]) -> str:
    """A JSON object built in SQL from (key, SQL expression) pairs, as text."""
    parts = ", ".join(f"'{_checked_key(key)}', {expression}" for key, expression in pairs)
    return f"json_object({parts})"


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


# --- The schema, read from the engine's catalogue ------------------------------------------
# The RGPD export and erasure find every column that points at a person by reading the
# schema itself, so a table added later cannot be forgotten.


def table_names(db: Database) -> list[str]:
    """The tables Proxi made (not the engine's or the migration tool's own), in the order
    they were created: the erasure meets a referenced table before the ones pointing at it."""
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_%' ESCAPE '\\'"
        " ORDER BY rowid"
    )
    return [name for (name,) in rows]


def column_names(db: Database, table: str) -> list[str]:
    return [row[1] for row in db.execute(f'PRAGMA table_info("{_checked(table)}")')]


def references_to(db: Database, table: str, target: str) -> list[str]:
    """The columns of `table` declared as foreign keys to `target`."""
    keys = db.execute(f'PRAGMA foreign_key_list("{_checked(table)}")')
    return [row[3] for row in keys if row[2] == target]


@contextlib.contextmanager
def erasing(db: Database) -> Iterator[None]:
    """Around an erasure: deleted rows are overwritten, not just unlinked, and their old
    pages leave the write-ahead log (SQLite's secure_delete, then a checkpoint)."""
    previous = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete=ON")
    try:
        yield
    finally:
        db.execute(f"PRAGMA secure_delete={int(previous)}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
