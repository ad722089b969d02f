"""Backups: a consistent copy while writers write; restoring it; old databases upgrade in place."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
import sqlite_utils
from builders import count

from proxi.cli import main
from proxi.ops import backup, demo, transfer
from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import db as proxi_db
from proxi.progress import dialect, store
from proxi.progress.db import inserted_id, open_db
from proxi.progress.schema.sqlite import MIGRATIONS

DERIVED = ("lesson_progress", "block_answers", "module_progress", "resume", "time_spent")


def fill(path, people: int = 3, steps: int = 5) -> list[int]:
    with open_db(path) as db:
        org = accounts.create_organisation(db, OPERATOR, "Habitat Val de Seine", "bailleur")
        ids = [
            inserted_id(
                db.execute(
                    "INSERT INTO people (identifier, display_name, organisation_id, created_at)"
                    " VALUES (:identifier, :display_name, :organisation_id, 'x') RETURNING id",
                    {"identifier": f"p{n}", "display_name": f"P{n}", "organisation_id": org.id},
                )
            )
            for n in range(people)
        ]
        db.conn.commit()
        for person_id in ids:
            for step in range(steps):
                store.record_step(db, person_id, "m", "l", step % 4, 4, ["l"])
    return ids


def derived(db) -> dict[str, list[tuple]]:
    return {t: sorted(map(tuple, db.execute(f"SELECT * FROM {t}").fetchall())) for t in DERIVED}


def test_backup_is_a_whole_private_self_contained_copy(tmp_path):
    source = tmp_path / "progress.db"
    fill(source)
    copy = backup.backup(tmp_path / "copie.db", source)
    assert (copy.people, copy.events) == (3, 15 + 3)  # 15 steps + 3 lessons completed
    assert os.stat(copy.path).st_mode & 0o077 == 0
    connection = sqlite3.connect(copy.path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list(tmp_path.glob(".*partiel"))


def test_backup_taken_while_twenty_writers_write_is_one_consistent_instant(tmp_path):
    source = tmp_path / "progress.db"
    ids = fill(source, people=20, steps=1)
    stop, errors = threading.Event(), []

    def writer(person_id: int) -> None:
        try:
            with open_db(source) as db:
                n = 0
                while not stop.is_set():
                    store.record_answer(db, person_id, f"b{n % 7}", n, n % 2 == 0, {})
                    n += 1
        except Exception as error:  # noqa: BLE001 - any error fails the test below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    copies = [backup.backup(tmp_path / f"copie-{n}.db", source) for n in range(3)]
    stop.set()
    for thread in threads:
        thread.join()
    assert errors == []
    assert copies[0].events < copies[1].events < copies[2].events  # taken under load
    for copy in copies:
        db = open_db(copy.path)
        before = derived(db)
        store.rebuild_derived(db)  # every event has its progress, and only those events
        assert derived(db) == before


def test_backup_into_a_folder_names_the_file_by_date(tmp_path):
    source = tmp_path / "progress.db"
    fill(source)
    folder = tmp_path / "sauvegardes"
    folder.mkdir()
    copy = backup.backup(folder, source)
    assert copy.path.parent == folder and copy.path.name.startswith("proxi-20")


def test_backup_refusals_are_in_french(tmp_path):
    with pytest.raises(backup.BackupError, match="Base de données introuvable"):
        backup.backup(tmp_path / "copie.db", tmp_path / "absente.db")
    assert not (tmp_path / "absente.db").exists()  # and none was created
    source = tmp_path / "progress.db"
    fill(source)
    with pytest.raises(backup.BackupError, match="autre fichier"):
        backup.backup(source, source)


def test_backup_copies_an_old_database_without_upgrading_it(tmp_path):
    old = tmp_path / "ancienne.db"
    MIGRATIONS.apply(sqlite_utils.Database(old), stop_before="m003_progress")
    sqlite_utils.Database(old).execute(
        "INSERT INTO people (identifier, display_name, created_at) VALUES ('a', 'A', 'x')"
    ).connection.commit()
    copy = backup.backup(tmp_path / "copie.db", old)
    for path in (old, copy.path):
        assert not sqlite_utils.Database(path)["module_progress"].exists()


def test_restore_brings_back_the_backup_and_keeps_a_safety_copy(tmp_path):
    source = tmp_path / "progress.db"
    ids = fill(source)
    saved = backup.backup(tmp_path / "copie.db", source)
    app = open_db(source)  # a connection of the running app
    store.record_step(app, ids[0], "m", "l2", 0, 1, ["l", "l2"])
    restored, safety = backup.restore(saved.path, source)
    assert restored.events == saved.events
    assert app.execute("SELECT COUNT(*) FROM events").fetchone()[0] == saved.events
    assert backup.describe(safety).events > saved.events  # what was replaced is not lost
    assert app.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restoring_a_backup_from_an_older_proxi_upgrades_it(tmp_path):
    old = tmp_path / "ancienne.db"
    MIGRATIONS.apply(sqlite_utils.Database(old), stop_before="m002_events")
    sqlite_utils.Database(old).execute(
        "INSERT INTO people (identifier, display_name, created_at) VALUES ('ancien', 'A', 'x')"
    ).connection.commit()
    target = tmp_path / "progress.db"
    backup.restore(old, target)
    proxi_db._migrated.clear()  # as the app's next start would
    db = open_db(target)
    assert MIGRATIONS.pending(sqlite_utils.Database(db.conn)) == []
    assert db.execute("SELECT identifier FROM people").fetchall() == [("ancien",)]
    assert "kept_attestations" in dialect.table_names(db)


def test_restore_refuses_what_is_not_a_proxi_backup(tmp_path):
    target = tmp_path / "progress.db"
    fill(target)
    other = tmp_path / "autre.db"
    sqlite_utils.Database(other)["notes"].insert({"x": 1})
    with pytest.raises(backup.BackupError, match="pas une base Proxi"):
        backup.restore(other, target)
    garbage = tmp_path / "abime.db"
    garbage.write_bytes(b"ceci n'est pas une base" * 100)
    with pytest.raises(backup.BackupError, match="pas une base SQLite lisible"):
        backup.restore(garbage, target)
    assert backup.describe(target).people == 3


def test_an_old_database_upgrades_in_place_through_every_migration(tmp_path):
    # Release one had accounts, events and progress: its data survives every later migration,
    # and events stay append-only under the trigger that m030 rewrote.
    path = tmp_path / "release-one.db"
    with sqlite_utils.Database(path) as db:
        MIGRATIONS.apply(db, stop_before="m010_live_sessions")
        db.execute(
            "INSERT INTO people (identifier, display_name, created_at) VALUES ('a', 'A', 'x')"
        )
        db.execute(
            "INSERT INTO events (uuid, person_id, verb, object_type, object_id, timestamp)"
            " VALUES ('u1', 1, 'viewed', 'lesson', 'm/l', '2025-01-01T00:00:00.000+00:00')"
        )
        db.conn.commit()
    upgraded = open_db(path)
    assert MIGRATIONS.pending(sqlite_utils.Database(upgraded.conn)) == []
    assert upgraded.execute("SELECT uuid, verb FROM events").fetchall() == [("u1", "viewed")]
    with pytest.raises(upgraded.engine.integrity_error, match="append-only"):
        upgraded.execute("UPDATE events SET verb = 'passed'")


def test_backup_and_restore_commands(tmp_path, capsys):
    source = tmp_path / "progress.db"
    fill(source)
    target = tmp_path / "copie.db"
    assert main(["backup", "--db", str(source), "--to", str(target)]) == 0
    assert "3 personnes, 18 événements" in capsys.readouterr().out
    assert main(["restore", "--from", str(target), "--db", str(source)]) == 1
    assert "--yes" in capsys.readouterr().err
    assert main(["restore", "--from", str(target), "--db", str(source), "--yes"]) == 0
    assert "Base restaurée" in capsys.readouterr().out


def test_the_operations_guide_documents_every_command_and_setting():
    root = Path(__file__).parent.parent
    guide = (root / "docs" / "exploitation.md").read_text(encoding="utf-8")
    commands = ("backup --to", "restore --from", "purge", "privacy export", "privacy erase")
    assert [c for c in commands if f"python -m proxi {c}" not in guide] == []
    code = "\n".join(p.read_text(encoding="utf-8") for p in (root / "proxi").rglob("*.py"))
    settings = set(re.findall(r"environ\.get\(\s*\"(PROXI_[A-Z_]+)\"", code))
    assert {"PROXI_DB", "PROXI_SECRET", "PROXI_RETENTION_DAYS"} <= settings
    assert sorted(s for s in settings if f"`{s}`" not in guide) == []


def test_on_postgresql_pg_dump_and_pg_restore_bring_everything_back(
    tmp_path, postgres_url, migrated_postgres_url
):
    """The procedure docs/exploitation.md gives for PostgreSQL (section 10), run as written:
    a dump of the demo, restored over another database, holds the same rows and events."""
    with open_db(postgres_url) as source:
        demo.seed_demo(source)
        expected = {t: count(source, t) for t in dialect.table_names(source)}
        checksum = transfer.events_checksum(source)
    dump = tmp_path / "proxi.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", postgres_url], check=True)
    subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            f"--dbname={migrated_postgres_url}",
            str(dump),
        ],
        check=True,
    )
    with open_db(migrated_postgres_url) as restored:
        assert {t: count(restored, t) for t in dialect.table_names(restored)} == expected
        assert transfer.events_checksum(restored) == checksum
        with pytest.raises(restored.engine.integrity_error, match="append-only"):
            restored.execute("UPDATE events SET verb = 'passed'")  # its rules came back too


def test_backup_commands_send_a_postgresql_database_to_its_own_tools(monkeypatch, capsys):
    monkeypatch.setenv("PROXI_DATABASE_URL", "postgresql://proxi@127.0.0.1:1/proxi")
    assert main(["backup", "--to", "copie.db"]) == 1
    assert "pg_dump" in capsys.readouterr().err
