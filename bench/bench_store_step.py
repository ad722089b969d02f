"""One lesson step recorded and read back through the store, on SQLite and on PostgreSQL.

    python -m bench.bench_store_step [--postgres postgresql://user@host/postgres]

The cost the query layer adds, or not, to every click: `store.record_step` (the event and
its derived progress, one write transaction) then `store.lesson_states` (what the page reads
next), 400 times, best and median of 5 rounds; on a new SQLite file, then (with --postgres
or $PROXI_BENCH_POSTGRES) on a new PostgreSQL database.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench import engines
from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import store
from proxi.progress.db import open_db

STEPS, ROUNDS = 400, 5


def rounds_on(target: Path | str) -> list[float]:
    """Microseconds per step (recorded, then read back), one figure per round."""
    with open_db(target) as db:
        learner = accounts.create_person(db, OPERATOR, "banc.essai", "Banc Essai")
        rounds = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            for n in range(STEPS):
                store.record_step(db, learner.id, "m", "l", n % 5, 5, ["l"])
                store.lesson_states(db, learner.id, "m")
            rounds.append((time.perf_counter() - started) / STEPS * 1e6)
    return rounds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_store_step")
    engines.add_option(parser)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        measured = {"SQLite": rounds_on(Path(folder) / "step.db")}
    if args.postgres:
        with engines.new_postgres_database(args.postgres) as url:
            measured["PostgreSQL"] = rounds_on(url)
    for engine, rounds in measured.items():
        print(
            f"{engine}: lesson step recorded and read back: best {min(rounds):.0f} µs,"
            f" median {statistics.median(rounds):.0f} µs ({ROUNDS} rounds of {STEPS})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
