"""One lesson step recorded and read back through the store, on an SQLite file.

    python -m bench.bench_store_step

The cost the query layer adds, or not, to every click: `store.record_step` (the event and
its derived progress, one write transaction) then `store.lesson_states` (what the page reads
next), 400 times, best and median of 5 rounds.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import store
from proxi.progress.db import open_db

STEPS, ROUNDS = 400, 5


def main() -> int:
    with tempfile.TemporaryDirectory() as folder, open_db(Path(folder) / "step.db") as db:
        learner = accounts.create_person(db, OPERATOR, "banc.essai", "Banc Essai")
        rounds = []
        for _ in range(ROUNDS):
            started = time.perf_counter()
            for n in range(STEPS):
                store.record_step(db, learner.id, "m", "l", n % 5, 5, ["l"])
                store.lesson_states(db, learner.id, "m")
            rounds.append((time.perf_counter() - started) / STEPS * 1e6)
    print(
        f"lesson step recorded and read back: best {min(rounds):.0f} µs,"
        f" median {statistics.median(rounds):.0f} µs ({ROUNDS} rounds of {STEPS})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
