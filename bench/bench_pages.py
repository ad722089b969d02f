"""Benchmark: server time per interaction, page by page, at 5,000 people / 1,000,000 events.

    python -m bench.bench_pages [--people 5000] [--events 1000000] [--runs 15] [--postgres URL]

Server time is what Streamlit spends running the page script for one interaction (a click,
a select, a poll), measured with AppTest (streamlit.testing.v1), which runs the real pages
in this process without a browser. Each figure is the median of `runs` interactions after
one warm-up, and is also given as a ratio to an EMPTY Streamlit page measured the same way
in the same run, so that the AppTest machinery itself (a script thread, the element tree)
is visible as the floor.

The database is generated once (`python -m proxi demo --people N --events M`) into
bench/results/, which git ignores, and reused afterwards; the pages write (every lesson
step and choice is an event), so they run against a fresh working copy of it each time.
Plus: lint time for a generated 2,000-node scenario, and event-insert throughput through
the progress store on the big database. With --postgres (or $PROXI_BENCH_POSTGRES), every
measure of the store and its pages is made again on a checked copy of the generated database
in a new PostgreSQL database, and the table gives both side by side.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench import bench_lint, engines

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS = REPO_ROOT / "bench" / "results"
APP = str(REPO_ROOT / "app.py")
EMPTY_PAGE = "import streamlit as st\n"
LESSON = ("4-gestion-des-conflits", "02-ecouter-reformuler-affirmer")
SCENARIO = "bruit-nuit"
ANALYSED = (SCENARIO, "hall-occupe")  # the path-analytics tab alternates between them
GUESTS = 25  # a full room voting while the projector polls


@dataclass
class Measure:
    name: str
    spans_ms: list[float]
    target_ms: float | None = None
    note: str = ""
    page: bool = True  # a page run through AppTest, so comparable with the empty page

    @property
    def median(self) -> float:
        return statistics.median(self.spans_ms)

    @property
    def worst(self) -> float:
        return max(self.spans_ms)


# --- The database ---------------------------------------------------------------------------


def database(people: int, events: int) -> Path:
    """The generated database for this size: built once (under a temporary name, renamed
    when complete, so an interrupted build is never reused), then reused."""
    path = RESULTS / f"bench-{people}-{events}.db"
    if path.exists() and _complete(path, people, events):
        return path
    RESULTS.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    for leftover in RESULTS.glob(f"{building.name}*"):
        leftover.unlink()
    command = [sys.executable, "-m", "proxi", "demo", "--db", str(building)]
    command += ["--people", str(people), "--events", str(events)]
    print(f"Génération de {path.name} ({people} personnes, {events} événements)…", flush=True)
    subprocess.run(command, check=True, cwd=REPO_ROOT)
    os.replace(building, path)
    return path


def _complete(path: Path, people: int, events: int) -> bool:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        try:
            found = [connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in (
                "people", "events")]  # fmt: skip
        except sqlite3.DatabaseError:
            return False
    return found[0] >= people and found[1] >= events


def working_copy(path: Path) -> Path:
    """A fresh copy the pages may write to (the shared file stays as generated)."""
    copy = RESULTS / "bench-pages-work.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(path, copy)
    return copy


# --- Timing helpers ---------------------------------------------------------------------------


def timed(action: Callable[[], object], runs: int, warmup: int = 1) -> list[float]:
    """Milliseconds of each of `runs` calls, after `warmup` untimed ones."""
    for _ in range(warmup):
        action()
    spans = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        spans.append(1000 * (time.perf_counter() - start))
    return spans


def checked(at) -> None:
    """A benchmark of a page that crashed would measure nothing: fail loudly instead."""
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception[0].value}")


# --- Page interactions (AppTest) ------------------------------------------------------------


class Pages:
    """AppTest sessions on the working copy, one per person, as the app would run them."""

    def __init__(self, db_path: Path | str) -> None:
        from streamlit.testing.v1 import AppTest

        from proxi.progress.db import open_db

        engines.use_in_this_process(db_path)
        self.AppTest = AppTest
        self.db = open_db(db_path)

    def person_id(self, identifier: str) -> int:
        return self.db.execute(
            "SELECT id FROM people WHERE identifier = :identifier", {"identifier": identifier}
        ).fetchone()[0]

    def typical_learner(self) -> str:
        """A synthetic learner with the median number of events."""
        rows = self.db.execute(
            "SELECT p.identifier, COUNT(*) AS n FROM people p JOIN events e ON e.person_id = p.id"
            " WHERE p.identifier LIKE 'apprenant.%' AND p.id % 97 = 0 GROUP BY p.id ORDER BY n"
        ).fetchall()
        return rows[len(rows) // 2][0]

    def session_for(self, identifier: str, page: str | None = None, **query):
        from proxi.people import accounts

        person = accounts.person_by_identifier(self.db, identifier)
        at = self.AppTest.from_file(APP, default_timeout=120)
        ticket = accounts.issue_login_ticket(self.db, person.id)
        at.session_state["session_token"] = accounts.redeem_login_ticket(self.db, ticket)
        at.run()
        if page:
            for key, value in query.items():
                at.query_params[key] = value
            at.switch_page(page).run()
        checked(at)
        return at

    def empty(self, runs: int) -> list[float]:
        at = self.AppTest.from_string(EMPTY_PAGE, default_timeout=60)
        return timed(at.run, runs)

    def rerun(self, at, runs: int) -> list[float]:
        def once():
            at.run()
            checked(at)

        return timed(once, runs)

    def lesson_steps(self, learner: str, runs: int) -> list[float]:
        module_id, lesson_id = LESSON
        at = self.session_for(learner, "app_pages/module.py", module=module_id, lecon=lesson_id)
        direction = ["Étape suivante →"]

        def step():
            labels = [button.label for button in at.button]
            if direction[0] not in labels:
                direction[0] = next(
                    label for label in ("Étape suivante →", "← Étape précédente") if label in labels
                )
            next(b for b in at.button if b.label == direction[0]).click().run()
            checked(at)

        return timed(step, runs)

    def scenario_steps(self, learner: str, runs: int) -> list[float]:
        at = self.session_for(learner, "app_pages/scenario.py", scenario=SCENARIO)
        spans = []
        while len(spans) < runs + 1:
            choices = [b for b in at.button if (b.key or "").startswith("choice-")]
            if not choices:  # an ending: start again (not timed: not a scenario step)
                next(b for b in at.button if b.label == "Rejouer depuis le début").click().run()
                continue
            start = time.perf_counter()
            choices[0].click().run()
            spans.append(1000 * (time.perf_counter() - start))
            checked(at)
        return spans[1:]  # the first one warmed up

    def dashboard(self, identifier: str, runs: int) -> tuple[list[float], list[float]]:
        """(warm reruns, first visits with the page's matrix cache empty)."""
        at = self.session_for(identifier, "app_pages/dashboard.py")
        warm = self.rerun(at, runs)
        return warm, self.first_visits(identifier, max(3, runs // 3))

    def first_visits(self, identifier: str, count: int) -> list[float]:
        import streamlit as st

        warm_content = self.AppTest.from_string(
            "from app_pages import ui\nui.catalogue()", default_timeout=60
        )
        spans = []
        for _ in range(count):
            at = self.session_for(identifier)
            at.switch_page("app_pages/dashboard.py")
            st.cache_resource.clear()
            warm_content.run()  # the content cache, shared by every page, stays warm
            start = time.perf_counter()
            at.run()
            spans.append(1000 * (time.perf_counter() - start))
            checked(at)
        return spans

    def path_analytics(self, identifier: str, runs: int) -> list[float]:
        """Pick another scenario in the dashboard's « Parcours » tab (a rerun of the page)."""
        at = self.session_for(identifier, "app_pages/dashboard.py")
        at.session_state["dashboard-tab"] = "Parcours"
        at.run()
        turn = [0]

        def pick():
            turn[0] += 1
            select = next(s for s in at.selectbox if s.label == "Mise en situation")
            # set_value, not select_index: AppTest cannot index the page's "all" (None) options
            select.set_value(ANALYSED[turn[0] % len(ANALYSED)]).run()
            checked(at)

        return timed(pick, runs)

    def projector(self, runs: int) -> tuple[list[float], list[float], int]:
        """(whole projector page reruns, live.snapshot polls, session id): a room of GUESTS
        guests has voted on the open decision."""
        from proxi.live import sessions as live

        session_id = self.open_a_session()
        at = self.session_for("formatrice", "app_pages/projector.py", seance=str(session_id))
        page = self.rerun(at, runs)
        poll = timed(lambda: live.snapshot(self.db, session_id), runs * 20)
        return page, poll, session_id

    def open_a_session(self) -> int:
        from proxi.content.catalogue import load_catalogue
        from proxi.live import flow as live_flow
        from proxi.live import room as live_room
        from proxi.live import sessions as live
        from proxi.people import accounts

        scenario = load_catalogue().scenarios[SCENARIO]
        trainer = accounts.person_by_identifier(self.db, "formatrice")
        session = live.create_session(
            self.db, trainer, "Banc d'essai", date.today(), "matin", "", (), [SCENARIO]
        )
        code = live_flow.open_session(self.db, trainer, session.id)
        live_flow.start_scenario(self.db, trainer, session.id, scenario)
        passes = [
            live_room.join(self.db, code, guest_name=f"Invité {n}", device=f"bench-{n}")
            for n in range(GUESTS)
        ]
        decision = live_flow.open_vote(self.db, trainer, session.id, scenario)
        for number, guest in enumerate(passes):
            live.vote(self.db, guest.token, decision.id, decision.choices[number % 2])
        return session.id


# --- Core measures ----------------------------------------------------------------------------


def path_query(db_path: Path | str, runs: int) -> list[float]:
    """The core query alone: reports.path_analytics for the busiest scenario, coordinator."""
    from proxi.people import accounts
    from proxi.progress import reports
    from proxi.progress.db import open_db

    db = open_db(db_path)
    viewer = reports.Viewer.of(accounts.person_by_identifier(db, "coordination"))
    spans = timed(lambda: reports.path_analytics(db, viewer, SCENARIO, None), runs)
    db.close()
    return spans


def insert_throughput(db_path: Path | str, count: int) -> tuple[float, list[float]]:
    """Events per second through store.record_step (one write transaction each, derived
    progress updated in it, as a page records a lesson step), on the big database."""
    from proxi.progress import store
    from proxi.progress.db import open_db

    db = open_db(db_path)
    people = [row[0] for row in db.execute("SELECT id FROM people LIMIT 200")]
    lesson_ids = ["01", "02", "03", "04", "05"]
    spans = []
    started = time.perf_counter()
    for number in range(count):
        begin = time.perf_counter()
        store.record_step(
            db, people[number % len(people)], "bench", lesson_ids[number % 5], number % 4, 4,
            lesson_ids, duration_s=30,
        )  # fmt: skip
        spans.append(1000 * (time.perf_counter() - begin))
    elapsed = time.perf_counter() - started
    db.close()
    return count / elapsed, spans


# --- Run ----------------------------------------------------------------------------------------


Measured = dict[str, list[Measure]]  # engine -> its measures, in the same order


def run(people: int, events: int, runs: int, postgres: str | None = None) -> tuple[Measured, dict]:
    """Every measure on SQLite, then on a copy of the same database in PostgreSQL when a
    server is given, plus facts about the database measured."""
    base = database(people, events)
    work = working_copy(base)
    pages = Pages(work)
    facts = {
        "database": base.name,
        "people": pages.db.execute("SELECT COUNT(*) FROM people").fetchone()[0],
        "events": pages.db.execute("SELECT COUNT(*) FROM events").fetchone()[0],
    }
    learner = pages.typical_learner()
    facts["learner"] = learner
    facts["learner_events"] = pages.db.execute(
        "SELECT COUNT(*) FROM events WHERE person_id = :person_id",
        {"person_id": pages.person_id(learner)},
    ).fetchone()[0]
    measured = {"SQLite": measures_on(pages, work, learner, runs)}
    lint_spans, note = bench_lint.lint_big_scenario(RESULTS, max(3, runs // 5))
    measured["SQLite"].append(
        Measure("Linter : scénario de 2 000 nœuds", lint_spans, None, note, False)
    )
    for suffix in ("", "-wal", "-shm"):  # 900 MB: made again by the next run
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    if postgres:
        # From the generated file, as SQLite's pass began: that pass wrote to its copy.
        with engines.postgres_copy(base, postgres) as url:
            measured["PostgreSQL"] = measures_on(Pages(url), url, learner, runs)
    return measured, facts


def measures_on(pages: Pages, target: Path | str, learner: str, runs: int) -> list[Measure]:
    """Every measure of the store and its pages on the database at `target` (closed after)."""
    measures = [Measure("Page vide (plancher)", pages.empty(runs))]
    home = pages.session_for(learner)
    measures += [
        Measure("Accueil de l'apprenant", pages.rerun(home, runs), 50.0),
        Measure("Étape de leçon", pages.lesson_steps(learner, runs), 20.0),
        Measure("Étape de mise en situation", pages.scenario_steps(learner, runs), 20.0),
    ]
    for identifier, who in (("manager.habitat", "manager"), ("coordination", "coordination")):
        warm, first = pages.dashboard(identifier, runs)
        measures += [
            Measure(f"Tableau de bord ({who})", warm, 300.0, "matrice en cache 30 s"),
            Measure(f"Tableau de bord ({who}), 1re visite", first, 300.0, "cache vide"),
        ]
    measures.append(
        Measure("Analyse des parcours (onglet)", pages.path_analytics("coordination", runs), 100.0)
    )
    measures.append(
        Measure("Analyse des parcours (requête seule)", path_query(target, runs), 100.0, "", False)
    )
    page, poll, _ = pages.projector(runs)
    measures += [
        Measure("Projection : page entière", page, None, f"{GUESTS} votes"),
        Measure("Projection : requête d'un rafraîchissement", poll, None, "live.snapshot", False),
    ]
    rate, spans = insert_throughput(target, 2000)
    p99 = sorted(spans)[int(0.99 * len(spans))]
    note = f"**{rate:.0f} événements/s**, une transaction chacun ; p99 {p99:.1f} ms"
    measures.append(
        Measure("Écriture d'un événement (store.record_step)", spans, None, note, False)
    )
    pages.db.close()
    return measures


def table(measured: Measured) -> list[str]:
    """The Markdown table: each engine's median and ratio to its empty page, side by side,
    then SQLite's worst, the target (met or not on each engine) and the notes."""
    engines_shown = list(measured)
    by_name = {engine: {m.name: m for m in measures} for engine, measures in measured.items()}
    floors = {engine: measures[0].median for engine, measures in measured.items()}
    head = "".join(f" {engine} médiane (ms) | × page vide |" for engine in engines_shown)
    lines = [
        f"| Mesure |{head} Pire SQLite (ms) | Objectif | Note |",
        "|---|" + "---:|---:|" * len(engines_shown) + "---:|---|---|",
    ]
    for measure in measured["SQLite"]:
        cells, verdicts, notes = "", [], [measure.note]
        for engine in engines_shown:
            same = by_name[engine].get(measure.name)
            if same is None:
                cells += " — | — |"
                continue
            ratio = f"{same.median / floors[engine]:.1f}" if same.page else "—"
            cells += f" {_ms(same.median)} | {ratio} |"
            if same.target_ms is not None:
                verdicts.append("✅" if same.median <= same.target_ms else "❌ manqué")
            if engine != "SQLite" and same.note != measure.note:
                notes.append(f"{engine} : {same.note}")
        target = f"< {measure.target_ms:.0f} ms {' / '.join(verdicts)}" if verdicts else ""
        lines.append(
            f"| {measure.name} |{cells} {_ms(measure.worst)} | {target} | {' ; '.join(notes)} |"
        )
    return lines


def _ms(value: float) -> str:
    return f"{value:.3f}" if value < 1 else f"{value:.1f}"


def missed(measured: Measured) -> list[Measure]:
    return [
        m
        for measures in measured.values()
        for m in measures
        if m.target_ms is not None and m.median > m.target_ms
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_pages")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    engines.add_option(parser)
    args = parser.parse_args(argv)
    measured, facts = run(args.people, args.events, args.runs, args.postgres)
    print(f"{facts['database']} : {facts['people']} personnes, {facts['events']} événements")
    print("\n".join(table(measured)))
    return 1 if missed(measured) else 0


if __name__ == "__main__":
    sys.exit(main())
