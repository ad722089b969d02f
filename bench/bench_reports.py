"""Benchmark: the managers' dashboard and path analytics at 5,000 people and 1,000,000 events.

    python -m bench.bench_reports [--people 5000] [--events 1000000] [--repeat 5] [--postgres URL]

Builds the database once with `python -m proxi demo --people N --events M` into
bench/results/ (reused afterwards; a few group sessions with votes are added so that group
analytics has something to count), then times each report query and the dashboard page run
through AppTest, against an empty Streamlit page as the floor. Targets (issue 7): dashboard
under 300 ms of server time, path analytics for one scenario under 100 ms. With --postgres
(or $PROXI_BENCH_POSTGRES) the same measures follow on a checked copy of the database in a new
PostgreSQL database, side by side.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import engines
from proxi.content.catalogue import load_catalogue
from proxi.documents import spreadsheet, tables
from proxi.people import accounts
from proxi.progress import reports, store
from proxi.progress.db import REPO_ROOT, inserted_id, open_db

RESULTS = REPO_ROOT / "bench" / "results"
TARGETS_MS = {"dashboard": 300.0, "path": 100.0}


def database(people: int, events: int) -> Path:
    """The generated database for this size, built on first use."""
    path = RESULTS / f"bench-{people}-{events}.db"
    if not path.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "proxi", "demo", "--db", str(path)]
        subprocess.run([*command, "--people", str(people), "--events", str(events)], check=True)
    db = open_db(path)  # applies any migration added since the file was built
    if not db.execute("SELECT COUNT(*) FROM live_sessions").fetchone()[0]:
        add_group_sessions(db)
    db.close()
    return path


def add_group_sessions(db, sessions: int = 40, size: int = 15) -> None:
    """Group sessions whose participants voted, recorded as proxi.live.flow records them."""
    trainer = accounts.person_by_identifier(db, "formatrice").id
    learners = [row[0] for row in db.execute("SELECT id FROM people WHERE roles = 'learner'")]
    choices = db.execute(
        "SELECT scenario_id, node_id, choice_index FROM events WHERE verb = 'chose' LIMIT 200"
    ).fetchall()
    for number in range(sessions):
        stamp = f"2026-01-{1 + number % 28:02d}T09:00:00+00:00"
        session = inserted_id(
            db.execute(
                "INSERT INTO live_sessions (title, day, half_day, trainer_id, status, created_at,"
                " opened_at, ended_at) VALUES (:title, :day, 'matin', :trainer_id, 'ended',"
                " :stamp, :stamp, :stamp) RETURNING id",
                {
                    "title": f"Séance {number + 1}",
                    "day": stamp[:10],
                    "trainer_id": trainer,
                    "stamp": stamp,
                },
            )
        )
        for offset in range(size):
            person = learners[(number * size + offset) * 7 % len(learners)]
            db.execute(
                "INSERT INTO live_participants (session_id, person_id, joined_at)"
                " VALUES (:session_id, :person_id, :joined_at) ON CONFLICT DO NOTHING",
                {"session_id": session, "person_id": person, "joined_at": stamp},
            )
            scenario_id, node_id, choice = choices[(number + offset) % len(choices)]
            store.record_scenario_state(
                db, person, scenario_id, {}, "chose", node_id=node_id, response=choice,
                session_id=f"live-{session}", mode="group",
            )  # fmt: skip
    db.conn.commit()


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """(first, median, max) in milliseconds; the first run is the cold one."""
    spans = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        action()
        spans.append(1000 * (time.perf_counter() - start))
    return spans[0], statistics.median(spans[1:]), max(spans[1:])


def query_benchmarks(path: Path | str, repeat: int) -> list[tuple[str, tuple, float | None]]:
    db = open_db(path)
    catalogue = load_catalogue()
    sql = "SELECT DISTINCT scenario_id FROM scenario_progress ORDER BY 1"
    scenario_ids = [row[0] for row in db.execute(sql)]
    coordinator = viewer(db, "coordination")
    manager = viewer(db, "manager.habitat")
    rows = reports.matrix(db, coordinator)
    modules = [m for m in catalogue.course.modules]
    busiest = max(scenario_ids, key=lambda s: path_size(db, s))
    learner = rows[len(rows) // 2].person.id
    items = tables.catalogue_items(catalogue)
    cases = [
        ("matrix, coordinator (all people)", lambda: reports.matrix(db, coordinator), None),
        ("matrix, manager (one landlord)", lambda: reports.matrix(db, manager), None),
        ("headline + completion + inactive", lambda: figures(db, coordinator, rows, modules), None),
        (
            f"path analytics, busiest ({busiest})",
            lambda: choices_of(db, coordinator, busiest),
            100.0,
        ),
        ("path analytics, manager", lambda: choices_of(db, manager, busiest), 100.0),
        (
            "path analytics, organisation filter",
            lambda: choices_of(db, coordinator, busiest, 1),
            100.0,
        ),
        ("endings, every scenario", lambda: reports.endings(db, coordinator, scenario_ids), None),
        ("person page report", lambda: reports.person_report(db, coordinator, learner), None),
        ("matrix table for the screen", lambda: tables.matrix_table(rows, items), None),
        ("CSV of the whole matrix", lambda: spreadsheet.matrix_csv(rows, items), None),
    ]
    results = [(name, timed(action, repeat), target) for name, action, target in cases]
    db.close()
    return results


def viewer(db, identifier: str) -> reports.Viewer:
    return reports.Viewer.of(accounts.person_by_identifier(db, identifier))


def path_size(db, scenario_id: str) -> int:
    sql = "SELECT COUNT(*) FROM events WHERE scenario_id = :scenario_id AND verb = 'chose'"
    return db.execute(sql, {"scenario_id": scenario_id}).fetchone()[0]


def choices_of(db, who, scenario_id: str, organisation_id: int | None = None):
    return reports.path_analytics(db, who, scenario_id, organisation_id)


def figures(db, who, rows, modules):
    reports.headline(db, who, rows, modules)
    reports.completion_by_organisation(rows, modules)
    reports.inactive(rows, 30)


def page_benchmarks(path: Path | str, repeat: int) -> list[tuple[str, tuple, float | None]]:
    from streamlit.testing.v1 import AppTest

    engines.use_in_this_process(path)
    db = open_db(path)
    results = [("empty Streamlit page (floor)", timed(empty_page(AppTest), repeat), None)]
    for identifier, label in (("coordination", "coordinator"), ("manager.habitat", "manager")):
        at = logged_in(AppTest, db, identifier)
        at.run()  # the matrix is now in the page's 30-second cache
        for tab in ("Vue d'ensemble", "Parcours"):
            at.session_state["dashboard-tab"] = tab
            results.append((f"dashboard, {label}, {tab}", timed(at.run, repeat), 300.0))
        spans = first_visits(AppTest, db, identifier, repeat + 1)
        results.append((f"dashboard, {label}, first visit", spans, 300.0))
    db.close()
    return results


def first_visits(app_test, db, identifier: str, count: int) -> tuple[float, float, float]:
    """A new session's first run of the dashboard with the matrix cache empty (the content
    cache, shared by every page, warmed again first)."""
    import streamlit as st

    warm = app_test.from_string("from app_pages import ui\nui.catalogue()", default_timeout=60)
    spans = []
    for _ in range(count):
        at = logged_in(app_test, db, identifier)
        st.cache_resource.clear()
        warm.run()  # inside a script run, so that it fills the cache the page reads
        start = time.perf_counter()
        at.run()
        spans.append(1000 * (time.perf_counter() - start))
    return spans[0], statistics.median(spans[1:]), max(spans[1:])


def empty_page(app_test) -> Callable[[], object]:
    at = app_test.from_string("import streamlit as st\nst.title('Vide')", default_timeout=60)
    return at.run


def logged_in(app_test, db, identifier: str):
    person = accounts.person_by_identifier(db, identifier)
    at = app_test.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    ticket = accounts.issue_login_ticket(db, person.id)
    at.session_state["session_token"] = accounts.redeem_login_ticket(db, ticket)
    at.run()
    at.switch_page("app_pages/dashboard.py")
    return at  # the next run() opens the dashboard


Results = list[tuple[str, tuple, float | None]]


def report(measured: dict[str, Results]) -> bool:
    """One line per measure, each engine's first / median / max side by side; True when
    every engine meets every target."""
    header = "".join(f" {engine + ' first/median/max ms':>34}" for engine in measured)
    print(f"{'measure':<48}{header}  target")
    ok = True
    for row in zip(*measured.values(), strict=True):
        name, _, target = row[0]
        cells, verdict = "", ""
        for _, (first, median, worst), _ in row:
            cells += f" {f'{first:.1f} / {median:.1f} / {worst:.1f}':>34}"
        if target is not None:
            passed = all(median <= target for _, (_, median, _), _ in row)
            ok &= passed
            verdict = f"< {target:.0f} ms {'OK' if passed else 'TROP LENT'}"
        print(f"{name:<48}{cells}  {verdict}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    engines.add_option(parser)
    args = parser.parse_args(argv)
    path = database(args.people, args.events)
    db = open_db(path)
    counts = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("people", "events")]
    db.close()
    print(f"{path.name}: {counts[0]} people, {counts[1]} events\n")
    measured = {"SQLite": query_benchmarks(path, args.repeat) + page_benchmarks(path, args.repeat)}
    if args.postgres:
        with engines.postgres_copy(path, args.postgres) as url:
            measured["PostgreSQL"] = query_benchmarks(url, args.repeat) + page_benchmarks(
                url, args.repeat
            )
    return 0 if report(measured) else 1


if __name__ == "__main__":
    sys.exit(main())
