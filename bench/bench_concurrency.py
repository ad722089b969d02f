"""Concurrent writers on one database: nothing lost, no "database is locked".

    python -m bench.bench_concurrency                      # 50 writers x 1,000 events
    python -m bench.bench_concurrency --mode processes     # each writer a process
    python -m bench.bench_concurrency --postgres postgresql://user@host/postgres
                                                           # the same on PostgreSQL too

With --postgres (or $PROXI_BENCH_POSTGRES), the same run is made on a new database of that
server, after SQLite's, and both reports are printed one after the other.

Each writer is one learner with its own connection (a Streamlit script thread, or with
--mode processes a separate process such as a second server or a CLI command), writing
through the progress store exactly as the pages do: lesson steps, block answers (with an
idempotency key) and scenario moves, each one write transaction with its derived progress.
Afterwards every writer's events are counted (none lost, none doubled) and the derived
progress is checked against them. Any exception in a writer — a "database is locked"
included — is reported and fails the run (exit status 1).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import engines
from proxi.progress import store
from proxi.progress.db import open_db
from proxi.progress.dialect import in_list, list_value

ROOT = Path(__file__).resolve().parent.parent
WRITER_VERBS = ("viewed", "answered", "chose")
LESSON_STEPS = 5


@dataclass
class Outcome:
    """What a run measured and what it found."""

    writers: int
    events_each: int
    mode: str
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    written: int = 0
    per_writer: dict[int, int] = field(default_factory=dict)
    derived_ok: bool = False

    @property
    def expected(self) -> int:
        return self.writers * self.events_each

    @property
    def locked_errors(self) -> int:
        return sum("locked" in e.lower() or "busy" in e.lower() for e in self.errors)

    def ok(self) -> bool:
        exact = all(n == self.events_each for n in self.per_writer.values())
        return not self.errors and self.written == self.expected and exact and self.derived_ok

    def report(self) -> str:
        lat = sorted(self.latencies_ms) or [0.0]

        def pct(p: float) -> float:
            return lat[min(len(lat) - 1, int(p * len(lat)))]

        return "\n".join(
            [
                f"{self.writers} writers x {self.events_each} events ({self.mode}): "
                f"{self.written}/{self.expected} events written in {self.seconds:.1f} s "
                f"= {self.written / self.seconds:,.0f} events/s",
                f"write latency ms: median {statistics.median(lat):.1f}, p95 {pct(0.95):.1f},"
                f" p99 {pct(0.99):.1f}, max {lat[-1]:.1f}",
                f"errors: {len(self.errors)} (database locked/busy: {self.locked_errors});"
                f" lost: {self.expected - self.written};"
                f" derived progress consistent: {self.derived_ok}",
                "RESULT: " + ("OK" if self.ok() else "FAILED"),
            ]
        )


def create_people(db_path: Path | str, count: int) -> list[int]:
    with open_db(db_path) as db:
        db.executemany(
            "INSERT INTO people (identifier, display_name, created_at)"
            " VALUES (:identifier, :display_name, 'x')",
            [{"identifier": f"bench-{n}", "display_name": f"Bench {n}"} for n in range(count)],
        )
        return [row[0] for row in db.execute("SELECT id FROM people ORDER BY id")]


def write_events(db_path: str, person_id: int, count: int) -> tuple[list[float], list[str]]:
    """One learner's writes; returns each write's latency (ms) and any error."""
    latencies, errors = [], []
    try:
        db = open_db(db_path)  # one connection per writer, as one per script run in the app
        for n in range(count):
            started = time.perf_counter()
            kind = n % 3
            if kind == 0:
                store.record_step(db, person_id, "m", "l", n % LESSON_STEPS, LESSON_STEPS, ["l"])
            elif kind == 1:
                store.record_answer(db, person_id, f"m/l#b{n % 4}", n, n % 2 == 0, {}, f"a{n}")
            else:
                state = {"node": f"n{n}", "history": []}
                store.record_scenario_state(
                    db, person_id, "s", state, "chose", node_id=f"n{n}", response=n % 2
                )
            latencies.append((time.perf_counter() - started) * 1000)
        db.close()
    except Exception as error:  # noqa: BLE001 - reported, and the run fails
        errors.append(f"{type(error).__name__}: {error}")
    return latencies, errors


def _thread_main(db_path, person_id, count, results, lock) -> None:
    outcome = write_events(db_path, person_id, count)
    with lock:
        results.append(outcome)


def hammer(db_path: Path | str, writers: int = 50, events_each: int = 1000, mode: str = "threads"):
    """Run the writers at once on `db_path` (a fresh database), then check everything."""
    ids = create_people(db_path, writers)
    started = time.time()
    if mode == "processes":
        started = time.time() + 2 + writers * 0.05  # once every interpreter is up
        results = _in_processes(db_path, ids, events_each, started)
    else:
        results, lock = [], threading.Lock()
        threads = [
            threading.Thread(
                target=_thread_main, args=(str(db_path), i, events_each, results, lock)
            )
            for i in ids
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    outcome = Outcome(writers, events_each, mode, time.time() - started)
    for latencies, errors in results:
        outcome.latencies_ms += latencies
        outcome.errors += errors
    _check(db_path, ids, events_each, outcome)
    return outcome


def _in_processes(db_path: Path, ids: list[int], events_each: int, start_at: float) -> list:
    """One `python -m bench.bench_concurrency --worker` per writer, all started together.

    Plain subprocesses rather than multiprocessing: a spawned worker re-imports the parent's
    __main__, which under pytest after AppTest runs can be a Streamlit page script.
    """
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.bench_concurrency",
                "--worker",
                str(db_path),
                str(person_id),
                str(events_each),
                str(start_at),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for person_id in ids
    ]
    results = []
    for worker in workers:
        out, _ = worker.communicate()
        try:
            found = json.loads(out.strip().splitlines()[-1])
            results.append((found["latencies"], found["errors"]))
        except (ValueError, IndexError, KeyError):
            results.append(([], [f"worker exited {worker.returncode} without a result"]))
    return results


def _worker(db_path: str, person_id: int, count: int, start_at: float) -> None:
    time.sleep(max(0.0, start_at - time.time()))
    latencies, errors = write_events(db_path, person_id, count)
    print(json.dumps({"latencies": latencies, "errors": errors}))


def _check(db_path: Path | str, ids: list[int], events_each: int, outcome: Outcome) -> None:
    with open_db(db_path) as db:
        verbs_sql = in_list(db, "verb", "verbs")
        rows = db.execute(
            f"SELECT person_id, COUNT(*) FROM events WHERE {verbs_sql} GROUP BY person_id",
            {"verbs": list_value(db, WRITER_VERBS)},
        ).fetchall()
        outcome.per_writer = {pid: 0 for pid in ids} | dict(rows)
        outcome.written = sum(outcome.per_writer.values())
        answers = db.execute("SELECT COALESCE(SUM(attempts), 0) FROM block_answers").fetchone()[0]
        answered = db.execute("SELECT COUNT(*) FROM events WHERE verb = 'answered'").fetchone()[0]
        lessons = db.execute("SELECT COUNT(*) FROM lesson_progress").fetchone()[0]
        seen = min(events_each // 3 + (events_each % 3 > 0), LESSON_STEPS)
        outcome.derived_ok = answers == answered and lessons == (len(ids) if seen else 0)
        if db.engine.name == "sqlite":  # the file's own check; a server checks its pages
            outcome.derived_ok &= db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        _worker(argv[1], int(argv[2]), int(argv[3]), float(argv[4]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--events", type=int, default=1000, help="events per writer")
    parser.add_argument("--mode", choices=("threads", "processes"), default="threads")
    parser.add_argument("--db", help="database file to create (default: a temporary one)")
    engines.add_option(parser)
    args = parser.parse_args(argv)
    outcomes = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(args.db) if args.db else Path(folder) / "concurrency.db"
        outcomes.append(("SQLite", hammer(path, args.writers, args.events, args.mode)))
    if args.postgres:
        with engines.new_postgres_database(args.postgres) as url:
            outcomes.append(("PostgreSQL", hammer(url, args.writers, args.events, args.mode)))
    for engine, outcome in outcomes:
        print(f"{engine}: " + outcome.report())
        for error in outcome.errors[:5]:
            print("  " + error)
    return 0 if all(outcome.ok() for _, outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
