"""Moving a pilot's SQLite database into PostgreSQL (`python -m proxi migrate --to URL`).

The copy is checked before it is committed: every table holds the same number of rows on
both sides, and the events, the truth every report derives from, give the same checksum
(SHA-256 of every stored column of every event, in id order). The target must be empty, so
a copy can never mix with, or overwrite, a database already in service; the source is only
read. Run it with the app stopped (docs/exploitation.md), then point the configuration at
the new database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from proxi.errors import ProxiError
from proxi.progress import dialect
from proxi.progress.db import Database, open_db, write_transaction
from proxi.progress.events import EVENT_COLUMNS

BATCH = 5000  # rows read and written at a time: the memory of a copy stays flat


class TransferError(ProxiError):
    """A copy that cannot be done, or that does not check out (the message says why)."""


@dataclass(frozen=True)
class Transferred:
    rows: dict[str, int]  # table -> rows copied (and counted again on both sides)
    events_checksum: str


def transfer(source: Database, target_url: str) -> Transferred:
    """Copy every table of `source` into the empty database at `target_url`, then check
    the counts and the events' checksum on both sides."""
    if dialect.engine_for(target_url) is not dialect.POSTGRESQL:
        raise TransferError(
            "La cible doit être une adresse PostgreSQL : postgresql://utilisateur@hôte/base."
        )
    with open_db(target_url) as target:
        tables = dialect.table_names(source)
        missing = sorted(set(tables) - set(dialect.table_names(target)))
        if missing:
            raise TransferError(
                f"La base PostgreSQL n'a pas les tables {', '.join(missing)} : elle n'est pas "
                "au même niveau que cette version de Proxi."
            )
        filled = [table for table in tables if _count(target, table)]
        if filled:
            raise TransferError(
                f"La base PostgreSQL {shown(target_url)} n'est pas vide (tables "
                f"{', '.join(filled[:5])}…) : la copie se fait dans une base neuve."
            )
        # One transaction: a copy that does not check out leaves the target empty.
        with write_transaction(target):
            for table in _parents_first(source, tables):
                _copy_table(source, target, table)
            target.engine.after_bulk_load(target)
            checked = _checked(source, target, tables)
        target.engine.after_bulk_commit(target)  # ready to serve at full speed at once
        return checked


def _parents_first(db: Database, tables: list[str]) -> list[str]:
    """The tables ordered so that each comes after those its foreign keys point at (every
    row copied finds the row it refers to already there)."""
    pending = {table: dialect.referenced_tables(db, table) - {table} for table in tables}
    ordered: list[str] = []
    while pending:
        ready = sorted(table for table, parents in pending.items() if parents <= set(ordered))
        if not ready:
            raise TransferError(f"Tables liées en boucle : {', '.join(sorted(pending))}.")
        ordered += ready
        for table in ready:
            del pending[table]
    return ordered


def _copy_table(source: Database, target: Database, table: str) -> None:
    # The target's stored columns only: generated ones (events.module_id...) it computes.
    columns = dialect.column_names(target, table)
    names_sql = ", ".join(f'"{column}"' for column in columns)
    cursor = source.execute(f'SELECT {names_sql} FROM "{table}"')
    while rows := cursor.fetchmany(BATCH):
        target.engine.bulk_insert(target, table, columns, rows)


def _checked(source: Database, target: Database, tables: list[str]) -> Transferred:
    rows = {}
    for table in tables:
        rows[table] = _count(source, table)
        copied = _count(target, table)
        if copied != rows[table]:
            raise TransferError(
                f"Copie annulée : {table} a {rows[table]} lignes dans SQLite, mais {copied} "
                "dans la copie. La base PostgreSQL reste vide ; la configuration ne change pas."
            )
    checksum = events_checksum(source)
    if events_checksum(target) != checksum:
        raise TransferError(
            "Copie annulée : les événements copiés diffèrent de ceux de SQLite (empreinte "
            "différente). La base PostgreSQL reste vide ; la configuration ne change pas."
        )
    return Transferred(rows, checksum)


def events_checksum(db: Database) -> str:
    """SHA-256 of every stored column of every event, in id order, the same on both engines
    for the same events (values are hashed as their text, NULL as its own marker)."""
    digest = hashlib.sha256()
    columns_sql = ", ".join(("id", *EVENT_COLUMNS))
    cursor = db.execute(f"SELECT {columns_sql} FROM events ORDER BY id")
    while rows := cursor.fetchmany(BATCH):
        for row in rows:
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def shown(url: str) -> str:
    """The URL with its password masked, for messages and the terminal."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def _count(db: Database, table: str) -> int:
    return db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
