"""Every data file Proxi creates is readable by its owner only (0600), whatever the umask."""

from __future__ import annotations

import os
import stat

import pytest

from proxi.__main__ import main
from proxi.ops import backup
from proxi.progress.db import open_db


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def permissive_umask():
    previous = os.umask(0o022)  # the usual default: files 0644 unless asked otherwise
    yield
    os.umask(previous)


def test_the_database_and_its_wal_files_are_private(tmp_path):
    path = tmp_path / "progress.db"
    db = open_db(path)
    db.execute("CREATE TABLE IF NOT EXISTS t (x)")
    db.execute("INSERT INTO t VALUES (1)")
    for file in (path, tmp_path / "progress.db-wal", tmp_path / "progress.db-shm"):
        assert file.exists() and mode(file) == 0o600, file
    db.close()


def test_a_restored_database_is_private(tmp_path):
    source = tmp_path / "source.db"
    open_db(source).close()
    copy = backup.backup(tmp_path / "copie.db", source)
    restored = tmp_path / "ailleurs" / "progress.db"
    backup.restore(copy.path, restored)
    assert mode(restored) == 0o600


def test_a_csv_export_is_private_even_over_an_existing_file(tmp_path, capsys):
    db_path = tmp_path / "progress.db"
    open_db(db_path).close()
    target = tmp_path / "export.csv"
    target.write_text("ancien", encoding="utf-8")
    os.chmod(target, 0o644)
    assert main(["export", "csv", "--db", str(db_path), "--to", str(target)]) == 0
    assert mode(target) == 0o600
    assert "ancien" not in target.read_text(encoding="utf-8-sig")
