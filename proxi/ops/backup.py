"""Backups: a consistent copy of the database while the app runs, and restoring one.

`python -m proxi backup --to FILE` copies the database with SQLite's online backup API, in
one step: the copy is the database as of one instant (one read transaction, which in WAL
mode never blocks the app's writers), never a file half-written. The copy is written beside
its destination, switched to a single self-contained file (journal mode DELETE), checked
with `PRAGMA integrity_check`, then renamed into place, so a backup file is either whole
or absent. It holds personal data: it is created readable by its owner only.

`python -m proxi restore --from FILE --yes` checks the backup, keeps a safety copy of the
current database, copies the backup into it (the backup API again: the app's connections
see the restored data at their next transaction), then applies the migrations, so a backup
made by an older Proxi upgrades in place.

Why this module opens SQLite itself rather than through `proxi.progress.db.open_db`: a backup must
copy the file exactly as it is. `open_db` would first migrate it, and a backup taken just
before an upgrade must be the old database, untouched.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from proxi.errors import ProxiError
from proxi.progress.db import (
    BUSY_TIMEOUT_MS,
    apply_migrations,
    create_private,
    database_path,
    open_db,
)


class BackupError(ProxiError):
    """A backup or a restore that cannot be done (the message says what to do)."""


@dataclass(frozen=True)
class Copy:
    """A database file made by `backup` or `restore`, and what it holds."""

    path: Path
    size: int
    people: int
    events: int


def backup(target: str | Path, db_path: str | Path | None = None) -> Copy:
    """Copy the database (default: $PROXI_DB) to `target`, a file or an existing folder."""
    source_path = _existing(db_path)
    target = Path(target)
    if target.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = target / f"proxi-{stamp}.db"
    if target.resolve() == source_path.resolve():
        raise BackupError("La sauvegarde doit aller dans un autre fichier que la base elle-même.")
    partial = target.with_name(f".{target.name}.partiel")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        _copy(_connect(source_path), sqlite3.connect(partial), self_contained=True)
        _check(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return describe(target)


def restore(backup_file: str | Path, db_path: str | Path | None = None) -> tuple[Copy, Path | None]:
    """Put a backup in place of the database; returns it and the safety copy made first."""
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise BackupError(f"Sauvegarde introuvable : {backup_file}. Vérifiez le chemin.")
    _check(backup_file)
    target = _file(db_path)
    safety = None
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        safety = backup(target.with_name(f"{target.name}.avant-restauration-{stamp}"), target)
    target.parent.mkdir(parents=True, exist_ok=True)
    create_private(target)
    destination = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
    _copy(_connect(backup_file), destination, self_contained=False)
    with open_db(target) as db:
        apply_migrations(db)  # a backup from an older Proxi upgrades in place
    return describe(target), safety.path if safety else None


def _file(db_path: str | Path | None) -> Path:
    """The SQLite file these commands copy; a server's database has its own tools."""
    path = database_path(db_path)
    if isinstance(path, Path):
        return path
    if path == ":memory:":
        raise BackupError("Indiquez un fichier de base de données avec --db (pas « :memory: »).")
    raise BackupError(
        "La base est sur un serveur PostgreSQL ($PROXI_DATABASE_URL) : sauvegardez-la avec "
        "pg_dump et restaurez-la avec pg_restore (docs/exploitation.md, section 10)."
    )


def describe(path: str | Path) -> Copy:
    """Size, people and events of a database file (read only)."""
    path = Path(path)
    connection = _connect(path)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        people = connection.execute(
            "SELECT COUNT(*) FROM people WHERE erased_at IS NULL"  # not the erased stand-ins
        ).fetchone()[0]
        events = (
            connection.execute("SELECT COUNT(*) FROM events").fetchone()[0]
            if "events" in tables
            else 0
        )
    finally:
        connection.close()
    return Copy(path, path.stat().st_size, people, events)


def _existing(db_path: str | Path | None) -> Path:
    path = _file(db_path)
    if not path.is_file():
        raise BackupError(f"Base de données introuvable : {path}. Indiquez-la avec --db.")
    return path


def _connect(path: Path) -> sqlite3.Connection:
    # mode=rw: never create an empty database where a file was expected.
    connection = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
    )
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return connection


def _copy(source: sqlite3.Connection, destination: sqlite3.Connection, self_contained: bool):
    try:
        # pages=-1: everything in one step, so the copy is one snapshot (a stepwise backup
        # restarts whenever the app writes, and under load might never finish).
        source.backup(destination, pages=-1)
        if self_contained:
            destination.execute("PRAGMA journal_mode=DELETE")
        destination.commit()
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"Copie impossible : {error}. Vérifiez le fichier et l'espace disque."
        ) from error
    finally:
        source.close()
        destination.close()


def _check(path: Path) -> None:
    connection = _connect(path)
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} n'est pas une base SQLite lisible ({error}).") from error
    finally:
        connection.close()
    if verdict != "ok":
        raise BackupError(f"{path} est endommagé (integrity_check : {verdict}).")
    if not {"people", "_sqlite_migrations"} <= tables:
        raise BackupError(f"{path} n'est pas une base Proxi (aucune table people).")
