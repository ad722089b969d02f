"""The database opener: pragmas, migrations, the write transaction under contention."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import sqlite_utils
from builders import count

from proxi.progress import db as proxi_db
from proxi.progress import dialect, store
from proxi.progress.db import (
    DatabaseBusy,
    apply_migrations,
    database_path,
    open_db,
    write_transaction,
)
from proxi.progress.schema.sqlite import MIGRATIONS


def schema(database) -> list[tuple]:
    return database.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()


def test_open_db_applies_every_migration(db):
    applied = dialect.applied_migrations(db)
    assert applied[:3] == ["m001_accounts", "m002_events", "m003_progress"]
    assert applied == [migration.name for migration in MIGRATIONS._migrations]
    tables = dialect.table_names(db)
    for table in ("people", "events", "module_progress", "scenario_progress", "web_sessions"):
        assert table in tables


def test_migrations_reapply_as_a_no_op(db_path):
    first = open_db(db_path)
    before = schema(first)
    apply_migrations(first)
    first.close()
    proxi_db._migrated.clear()  # as a new process would
    again = open_db(db_path)
    assert schema(again) == before
    assert len(MIGRATIONS.applied(sqlite_utils.Database(again.conn))) == len(MIGRATIONS._migrations)


def test_a_new_database_gets_exactly_what_the_migrations_build(tmp_path):
    """New databases are built from a replay of one migrated database: same schema, same
    migration records, and an old database still upgrades through the migrations."""
    replayed = open_db(tmp_path / "new.db")
    migrated = sqlite_utils.Database(sqlite3.connect(":memory:"))
    MIGRATIONS.apply(migrated)
    assert schema(replayed) == schema(migrated)
    records = "SELECT migration_set, name FROM _sqlite_migrations ORDER BY id"
    assert replayed.execute(records).fetchall() == migrated.execute(records).fetchall()
    assert MIGRATIONS.pending(sqlite_utils.Database(replayed.conn)) == []


def test_old_database_upgrades_in_place(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    MIGRATIONS.apply(old, stop_before="m002_events")  # a database from release one
    old.execute(
        "INSERT INTO people (identifier, display_name, created_at) VALUES ('ancien', 'A', 'x')"
    )
    old.close()
    upgraded = open_db(path)
    assert {"events", "module_progress"} <= set(dialect.table_names(upgraded))
    assert upgraded.execute("SELECT identifier FROM people").fetchall() == [("ancien",)]


def test_file_database_is_tuned_for_concurrency(db_path):
    database = open_db(db_path)
    pragma = lambda name: database.execute(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("busy_timeout") == 5000
    assert pragma("foreign_keys") == 1
    assert pragma("synchronous") == 1  # NORMAL
    assert pragma("cache_size") == -proxi_db.CACHE_KIB  # KiB, not SQLite's 2 MB


def test_path_comes_from_argument_then_environment_then_default(monkeypatch, tmp_path):
    monkeypatch.delenv("PROXI_DB", raising=False)
    assert database_path() == proxi_db.REPO_ROOT / "progress" / "progress.db"
    monkeypatch.setenv("PROXI_DB", str(tmp_path / "env.db"))
    assert database_path() == tmp_path / "env.db"
    assert database_path(tmp_path / "arg.db") == tmp_path / "arg.db"


def test_connection_refuses_another_thread(db_path):
    # Why open_db is called once per Streamlit run: a connection is bound to its thread.
    database = open_db(db_path)
    errors = []
    worker = threading.Thread(target=lambda: _try_count(database, errors))
    worker.start()
    worker.join()
    assert errors and isinstance(errors[0], sqlite3.ProgrammingError)


def _try_count(database, errors):
    try:
        database.execute("SELECT 1")
    except Exception as error:
        errors.append(error)


def test_write_transaction_writes_all_or_nothing(db):
    with pytest.raises(RuntimeError), write_transaction(db):
        db.execute("INSERT INTO organisations (name, kind, created_at) VALUES ('A', 'ville', 'x')")
        raise RuntimeError("halfway")
    assert count(db, "organisations") == 0


def test_nested_write_transaction_joins_the_outer_one(db):
    with pytest.raises(RuntimeError), write_transaction(db):
        db.execute("INSERT INTO organisations (name, kind, created_at) VALUES ('A', 'ville', 'x')")
        with write_transaction(db):
            db.execute(
                "INSERT INTO organisations (name, kind, created_at) VALUES ('B', 'ville', 'x')"
            )
        raise RuntimeError("outer fails after inner succeeded")
    assert count(db, "organisations") == 0


def hold_write_lock(path, seconds: float, ready: threading.Event) -> None:
    holder = open_db(path)
    with write_transaction(holder):
        ready.set()
        time.sleep(seconds)
    holder.close()


def test_writer_retries_past_the_busy_timeout(db_path):
    ready = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(db_path, 0.4, ready))
    holder.start()
    ready.wait()
    waiting = open_db(db_path)
    waiting.execute("PRAGMA busy_timeout=10")  # SQLite gives up at once: the retry must cover
    with write_transaction(waiting):
        waiting.execute(
            "INSERT INTO organisations (name, kind, created_at) VALUES ('A', 'ville', 'x')"
        )
    holder.join()
    assert count(waiting, "organisations") == 1


def test_writer_blocked_too_long_gets_a_french_message(db_path, monkeypatch):
    monkeypatch.setattr(proxi_db, "WRITE_ATTEMPTS", 2)
    ready = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(db_path, 0.5, ready))
    holder.start()
    ready.wait()
    waiting = open_db(db_path)
    waiting.execute("PRAGMA busy_timeout=10")
    with pytest.raises(DatabaseBusy, match="Réessayez dans un instant"), write_transaction(waiting):
        pass
    holder.join()


def test_events_are_append_only(db, learner):
    store.record_event(db, learner.id, "attended", "session", "s1")
    with pytest.raises(db.engine.integrity_error, match="append-only"):
        db.execute("UPDATE events SET verb = 'failed'")


@pytest.mark.slow  # fifty processes at once: not in test-fast
def test_fifty_concurrent_writers_lose_nothing(shared_database):
    setup = open_db(shared_database)
    with proxi_db.write_transaction(setup):
        setup.executemany(
            "INSERT INTO people (identifier, display_name, created_at)"
            " VALUES (:identifier, 'P', 'x')",
            [{"identifier": f"p{n}"} for n in range(50)],
        )
    ids = [row[0] for row in setup.execute("SELECT id FROM people ORDER BY id")]
    errors: list[BaseException] = []

    def writer(person_id: int) -> None:
        try:
            database = open_db(shared_database)  # one connection per thread, as in the app
            for n in range(200):  # reads before writing too: the idempotency check
                if n % 2:
                    store.record_answer(database, person_id, "b", n, True, {}, f"k{n}")
                else:
                    store.record_step(database, person_id, "m", "l", n % 5, 5, ["l"])
            database.close()
        except BaseException as error:  # any "database is locked" fails the test
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(person_id,)) for person_id in ids]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    written = "SELECT COUNT(*) FROM events WHERE verb IN ('viewed', 'answered')"
    assert setup.execute(written).fetchone()[0] == 10_000
    assert count(setup, "lesson_progress") == 50
    assert time.perf_counter() - started < 60


@pytest.mark.sqlite_only(
    "reads SQLite's index list; the PostgreSQL schema test holds the same indexes"
)
def test_no_plain_index_is_a_prefix_of_another_on_the_same_table(db):
    """Such an index serves no query the longer one does not, and costs every write. (A
    unique one is a rule, not a shortcut: it stays.)"""
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        indexes = {  # name -> (unique, its columns)
            row[1]: (row[2], tuple(c[2] for c in db.execute(f"PRAGMA index_info('{row[1]}')")))
            for row in db.execute(f"PRAGMA index_list('{table}')")
        }
        for name, (unique, cols) in indexes.items():
            for other, (_, longer) in indexes.items():
                if other != name and not unique:
                    assert longer[: len(cols)] != cols, f"{name} is a prefix of {other}"
