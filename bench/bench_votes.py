"""Benchmark: 60 phones voting within 10 seconds, and what one projector poll costs.

    python -m bench.bench_votes [--voters 60] [--window 10] [--postgres URL]

On a temporary FILE database (WAL, as in production), then (with --postgres or
$PROXI_BENCH_POSTGRES) on a new PostgreSQL database, side by side: `voters` guests join a session,
then each, in its own thread with its own connection, votes at a random moment within
`window` seconds and changes its mind once (two writes each). Meanwhile one thread polls
`live.snapshot` like the projector (every 1.5 s) and another polls it every 10 ms, to
price a poll under write load. The run checks that every participant has exactly one
stored vote and that the tally equals the votes cast, and prints a small table.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

from bench import engines
from proxi.content.scenario import load_scenario
from proxi.live import flow as live_flow
from proxi.live import room as live_room
from proxi.live import sessions as live
from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress.db import open_db

SCENARIO = (
    Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "scenarios" / "porte.yaml"
)
PROJECTOR_EVERY_S = 1.5  # as app_pages/projector.py polls
FAST_EVERY_S = 0.01  # ~25 phones and a projector at 2 s make ~13 polls a second


def prepare(path: Path | str, voters: int):
    """A session on the fixture scenario, `voters` guests joined, a vote open."""
    db = open_db(path)
    scenario, _ = load_scenario(SCENARIO)
    trainer = accounts.create_person(
        db, OPERATOR, "bench", "Banc d'essai", "motdepasse-bench", roles=["trainer"]
    )
    session = live.create_session(
        db, trainer, "Banc", date.today(), "matin", scenario_ids=[scenario.id]
    )
    code = live_flow.open_session(db, trainer, session.id)
    live_flow.start_scenario(db, trainer, session.id, scenario)
    passes = [
        live_room.join(db, code, guest_name=f"Votant {i}", device=f"d{i}") for i in range(voters)
    ]
    decision = live_flow.open_vote(db, trainer, session.id, scenario)
    return db, session.id, decision, passes


def run_voters(
    path: Path | str, decision, passes, window: float
) -> tuple[list[float], Counter, float]:
    """Every voter in its own thread: a first vote, then a changed one. Returns latencies."""
    latencies: list[float] = []
    final: Counter = Counter()
    lock, barrier = threading.Lock(), threading.Barrier(len(passes))
    last_commit = [0.0]

    def voter(i: int) -> None:
        conn = open_db(path)
        first, second = random.choice(decision.choices), random.choice(decision.choices)
        barrier.wait()
        time.sleep(random.uniform(0, window))
        for choice in (first, second):
            started = time.perf_counter()
            live.vote(conn, passes[i].token, decision.id, choice)
            with lock:
                latencies.append(time.perf_counter() - started)
        with lock:
            final[second] += 1
            last_commit[0] = max(last_commit[0], time.perf_counter())
        conn.close()

    threads = [threading.Thread(target=voter, args=(i,)) for i in range(len(passes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, final, last_commit[0]


def poller(
    path: Path | str, session_id: int, every: float, stop: threading.Event, seen: list
) -> None:
    """Poll like a screen; record (time, cost, counts) of each poll."""
    conn = open_db(path)
    while not stop.is_set():
        started = time.perf_counter()
        snap = live.snapshot(conn, session_id)
        seen.append((time.perf_counter(), time.perf_counter() - started, snap.counts))
        stop.wait(every)
    conn.close()


def idle_poll_cost(db, session_id: int, calls: int = 1000) -> list[float]:
    costs = []
    for _ in range(calls):
        started = time.perf_counter()
        live.snapshot(db, session_id)
        costs.append(time.perf_counter() - started)
    return costs


def ms(values: list[float], q: float) -> str:
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_votes")
    parser.add_argument("--voters", type=int, default=60)
    parser.add_argument("--window", type=float, default=10.0, help="seconds the votes spread over")
    engines.add_option(parser)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        measured = {"SQLite": session_on(Path(tmp) / "bench.db", args)}
    if args.postgres:
        with engines.new_postgres_database(args.postgres) as url:
            measured["PostgreSQL"] = session_on(url, args)
    names = [name for name, _ in next(iter(measured.values()))[0]]
    columns = {engine: dict(rows) for engine, (rows, _) in measured.items()}
    width = max(len(name) for name in names)
    print(f"{'measure'.ljust(width)}  " + "  ".join(f"{engine:<40}" for engine in columns))
    print(f"{'-' * width}  " + "  ".join("-" * 40 for _ in columns))
    for name in names:
        print(f"{name.ljust(width)}  " + "  ".join(f"{c[name]:<40}" for c in columns.values()))
    return 0 if all(ok for _, ok in measured.values()) else 1


def session_on(target: Path | str, args) -> tuple[list[tuple[str, str]], bool]:
    """One group session's votes on the database at `target`: the report's rows, and
    whether every vote is stored once and the tally is right."""
    db, session_id, decision, passes = prepare(target, args.voters)
    stop = threading.Event()
    projector: list = []
    fast: list = []
    pollers = [
        threading.Thread(
            target=poller, args=(target, session_id, PROJECTOR_EVERY_S, stop, projector)
        ),
        threading.Thread(target=poller, args=(target, session_id, FAST_EVERY_S, stop, fast)),
    ]
    for thread in pollers:
        thread.start()
    started = time.perf_counter()
    latencies, final, last_commit = run_voters(target, decision, passes, args.window)
    elapsed = time.perf_counter() - started
    time.sleep(PROJECTOR_EVERY_S + 0.5)  # let the projector poll once more
    stop.set()
    for thread in pollers:
        thread.join()
    try:
        return report(
            db, session_id, decision, args, elapsed, latencies, final, last_commit, projector, fast
        )
    finally:
        db.close()


def report(
    db, session_id, decision, args, elapsed, latencies, final, last_commit, projector, fast
) -> tuple[list[tuple[str, str]], bool]:
    """The table's rows; True when every vote is stored once and the tally is right."""
    stored = db.execute(
        "SELECT count(*), count(DISTINCT participant_id) FROM live_votes"
        " WHERE decision_id = :decision_id",
        {"decision_id": decision.id},
    ).fetchone()
    expected = {index: final.get(index, 0) for index in decision.choices}
    tally = live.snapshot(db, session_id).counts
    shown = next((t for t, _, counts in projector if counts == expected and t >= last_commit), None)
    idle = idle_poll_cost(db, session_id)
    plan = tally_plan(db, decision.id)
    rows = [
        (
            "voters / writes",
            f"{args.voters} / {len(latencies)} in {elapsed:.1f} s (window {args.window:g} s)",
        ),
        ("votes stored (rows, distinct voters)", f"{stored[0]}, {stored[1]}"),
        ("exactly once", "yes" if stored[0] == stored[1] == args.voters else "NO"),
        ("tally correct", "yes" if tally == expected else f"NO: {tally} != {expected}"),
        (
            "vote latency p50 / p95 / max (ms)",
            f"{ms(latencies, 0.5)} / {ms(latencies, 0.95)} / {ms(latencies, 1)}",
        ),
        (
            "poll cost idle p50 / p95 (ms)",
            f"{ms(idle, 0.5)} / {ms(idle, 0.95)} ({len(idle)} calls)",
        ),
        (
            "poll cost under votes p50 / p95 (ms)",
            f"{ms([c for _, c, _ in fast], 0.5)} / {ms([c for _, c, _ in fast], 0.95)} ({len(fast)} calls)",
        ),
        (
            "last vote -> projector shows tally (s)",
            f"{shown - last_commit:.2f}" if shown else "NOT SEEN",
        ),
        ("tally query plan", plan),
    ]
    return rows, stored[0] == stored[1] == args.voters and tally == expected


def tally_plan(db, decision_id: int) -> str:
    """How the engine counts a decision's votes (it should use the decision's index)."""
    query = (
        "SELECT choice, count(*) FROM live_votes WHERE decision_id = :decision_id GROUP BY choice"
    )
    explain = "EXPLAIN QUERY PLAN " if db.engine.name == "sqlite" else "EXPLAIN (COSTS OFF) "
    rows = db.execute(explain + query, {"decision_id": decision_id}).fetchall()
    return "; ".join(str(row[-1]).strip() for row in rows)


if __name__ == "__main__":
    raise SystemExit(main())
