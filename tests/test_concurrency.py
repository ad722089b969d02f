"""Many writers on one database file: nothing lost, nothing doubled, never "database is locked".

The workload is bench/bench_concurrency.py (run it for the figures; see docs/exploitation.md).
"""

from __future__ import annotations

import threading

import pytest

from bench.bench_concurrency import hammer
from proxi.ops import backup, retention
from proxi.progress import store
from proxi.progress.db import open_db

pytestmark = pytest.mark.slow  # processes and threads at full size: not in test-fast


def test_fifty_writers_a_thousand_events_each_lose_nothing(tmp_path):
    # Threads, as Streamlit runs each script run in a thread of one process. 50 x 1,000
    # takes about 30 s on a 2-CPU machine: under the one-minute budget, so the full size.
    outcome = hammer(tmp_path / "progress.db", writers=50, events_each=1000)
    assert outcome.errors == [], outcome.report()
    assert outcome.written == 50_000
    assert set(outcome.per_writer.values()) == {1000}  # each writer's own, exactly
    assert outcome.derived_ok  # how fast is bench/bench_concurrency.py's to say, not a test's


def test_writers_in_separate_processes_lose_nothing(tmp_path):
    # A second process (a CLI command, another server) takes the same file lock.
    outcome = hammer(tmp_path / "progress.db", writers=8, events_each=150, mode="processes")
    assert outcome.ok(), outcome.report()


def test_the_same_answer_sent_at_once_from_many_tabs_counts_once(tmp_path):
    path = tmp_path / "progress.db"
    with open_db(path) as db:
        db.execute("INSERT INTO people (identifier, display_name, created_at) VALUES ('a','A','x')")
        db.conn.commit()
    barrier, results = threading.Barrier(20), []

    def submit() -> None:
        with open_db(path) as db:
            barrier.wait()
            results.append(store.record_answer(db, 1, "m/l#q", 2, True, {}, "double-clic"))

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.duplicate for r in results) == [False] + [True] * 19
    assert len({r.event_id for r in results}) == 1
    with open_db(path) as db:
        assert db.execute("SELECT attempts FROM block_answers").fetchone()[0] == 1


def test_purge_and_backup_run_beside_writers_without_a_lock_error(tmp_path):
    path = tmp_path / "progress.db"
    errors: list[BaseException] = []

    def maintenance() -> None:
        try:
            with open_db(path) as db:
                for n in range(5):
                    retention.purge(db, 1, batch_size=50)
                    backup.backup(tmp_path / f"copie-{n}.db", path)
        except BaseException as error:  # noqa: BLE001 - fails the test below
            errors.append(error)

    open_db(path).close()
    worker = threading.Thread(target=maintenance)
    worker.start()
    outcome = hammer(path, writers=20, events_each=100)
    worker.join()
    assert errors == [] and outcome.ok(), outcome.report()
