"""The pages' connection pool (app_pages/connection.py): one thread at a time per connection."""

import threading

from app_pages import connection
from proxi.progress import dialect
from proxi.progress.db import open_db


def in_a_thread(work):
    """What `work` returns, run in a thread of its own (as Streamlit runs each script run)."""
    found = []
    thread = threading.Thread(target=lambda: found.append(work()))
    thread.start()
    thread.join()
    return found[0]


def test_a_run_gives_its_connection_back_when_its_thread_ends(tmp_path, monkeypatch):
    path = tmp_path / "p.db"
    monkeypatch.setenv("PROXI_DB", str(path))
    first = in_a_thread(lambda: id(connection.db()))
    assert connection.idle_count(path) == 1
    assert in_a_thread(lambda: id(connection.db())) == first  # reused, not opened again


def test_two_threads_at_once_never_share_a_connection(tmp_path, monkeypatch):
    path = tmp_path / "p.db"
    monkeypatch.setenv("PROXI_DB", str(path))
    open_db(path).close()  # created and migrated before the two runs, as on a server
    # A timeout: a thread that fails before the barrier must fail the test, not hang it.
    inside, seen = threading.Barrier(2, timeout=30), []

    def run():
        seen.append(id(connection.db()))
        inside.wait()  # both hold theirs at the same moment

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 2


def test_a_replaced_file_is_not_served_by_a_connection_to_the_old_one(tmp_path, monkeypatch):
    path = tmp_path / "p.db"
    monkeypatch.setenv("PROXI_DB", str(path))
    in_a_thread(lambda: connection.db().execute("CREATE TABLE old_one (x)"))
    for suffix in ("", "-wal", "-shm"):  # a restore puts another file under the same name
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    open_db(path).close()
    tables = in_a_thread(lambda: dialect.table_names(connection.db()))
    assert "old_one" not in tables
