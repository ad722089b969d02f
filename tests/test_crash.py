"""Crash safety: SIGKILL the server and the writers mid-way, restart, everyone resumes.

The real server runs (`streamlit run app.py`, on a free port, against a temporary database)
and logs people in through its cookie route, which writes to the database. Beside it, a
driver process — this file run as a script — plays what the pages write, through the same
core functions: six learners each see a lesson, fail then pass its quiz, and play a scenario
to its end, while a trainer runs a group session in which all six vote. Every write the
driver finishes is acknowledged on its stdout, with a query that must find it.

Nine times, part-way through, the driver is killed with SIGKILL a few milliseconds after a
write (so sometimes inside the next transaction), three of those times with the server; the
database is checked (`PRAGMA integrity_check`, and every acknowledged write present), the
server restarts and the driver starts again from what the database says — as a learner who
comes back resumes from their saved state. At the end, the database must hold exactly what
an uninterrupted run of the same plan gives: same events (nothing duplicated, nothing lost),
same progress, same group-session decisions and votes; and the login cookies handed out
before the crashes still open their sessions.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from proxi.content import engine  # noqa: E402
from proxi.content.scenario import load_scenario  # noqa: E402
from proxi.live import flow as live_flow  # noqa: E402
from proxi.live import room as live_room  # noqa: E402
from proxi.live import sessions as live  # noqa: E402
from proxi.people import accounts  # noqa: E402
from proxi.people.permissions import OPERATOR  # noqa: E402
from proxi.progress import store  # noqa: E402
from proxi.progress.db import open_db  # noqa: E402
from proxi.progress.dialect import json_field  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"

pytestmark = pytest.mark.slow  # processes and threads at full size: not in test-fast
SCENARIO_FILE = FIXTURES / "scenarios" / "porte.yaml"
PLAN = (0, 0, 1)  # porte: listen, write the report, conclude -> bonne_fin
LEARNERS = tuple(f"crash.{n}" for n in range(6))
LESSON_STEPS = 3
QUIZ_SCORES = (40, 90)  # failed, then passed (pass mark 70)
PASSWORD = "mot-de-passe-crash"
SECRET = "crash-test-secret-0123456789abcdef0123456789"
TITLE = "Séance interrompue"
DRIVER_DEADLINE_S = 60
SERVER_KILLS = (2, 5, 8)  # the tenths of the plan at which the server is killed too
KILL_DELAY = random.Random(8)  # seeded: the same kill points on every run
SQL = str  # a query that must return a row once the acknowledged write is committed


# --- The driver: what the pages write, resumable from the database alone ------------------------


def ack(label: str, sql: SQL, params: dict) -> None:
    print(json.dumps({"ack": label, "check": [sql, params]}), flush=True)


def setup(db) -> None:
    if accounts.person_by_identifier(db, "crash.formatrice"):
        return
    org = accounts.create_organisation(db, OPERATOR, "Habitat Val de Seine", "bailleur")
    for identifier in (*LEARNERS, "crash.formatrice"):
        roles = ("trainer",) if identifier == "crash.formatrice" else ("learner",)
        accounts.create_person(
            db,
            OPERATOR,
            identifier,
            identifier.title(),
            PASSWORD,
            organisation_id=org.id,
            roles=roles,
        )


def solo_move(db, person, scenario) -> bool:
    """The learner's next move (lesson step, quiz, scenario); False when all is done."""
    pid = person.id
    seen = store.lesson_position(db, pid, "1-essai", "01-premiere")
    step = 0 if seen is None else seen + 1
    if step < LESSON_STEPS:
        key = f"step-{step}"
        store.record_step(db, pid, "1-essai", "01-premiere", step, 3, ["01-premiere"], **_k(key))
        return _acked(pid, key)
    attempts = store.learner_overview(db, pid).module("1-essai")["quiz_attempts"]
    if attempts < len(QUIZ_SCORES):
        key = f"quiz-{attempts}"
        store.record_quiz(db, pid, "1-essai", QUIZ_SCORES[attempts], 100, 70, ["01-premiere"], **_k(key))  # fmt: skip
        return _acked(pid, key)
    return _scenario_move(db, pid, scenario)


def _scenario_move(db, pid: int, scenario) -> bool:
    state = store.saved_scenario_state(db, pid, scenario.id)
    if state is None:
        store.record_scenario_state(db, pid, scenario.id, engine.start(scenario), "started", **_k("start"))  # fmt: skip
        return _acked(pid, "start")
    if not engine.is_over(scenario, state):
        done = len(state["history"])
        node, new = state["node"], engine.choose(scenario, state, PLAN[done])
        key = f"chose-{done}"
        store.record_scenario_state(
            db, pid, scenario.id, new, "chose", node_id=node, response=PLAN[done], **_k(key)
        )
        return _acked(pid, key)
    row = store.learner_overview(db, pid).scenarios.get(scenario.id) or {}
    if state["node"] in (row.get("endings") or []):
        return False
    ending = scenario.nodes[state["node"]].ending
    store.record_scenario_state(
        db, pid, scenario.id, state, "ended", node_id=state["node"], response=state["node"],
        outcome=ending.outcome, **_k("ended"),
    )  # fmt: skip
    return _acked(pid, "ended")


def _k(key: str) -> dict:
    return {"idempotency_key": f"crash-{key}"}


def _acked(pid: int, key: str) -> bool:
    sql = "SELECT 1 FROM events WHERE person_id = :person_id AND idempotency_key = :key"
    ack(f"{pid}:{key}", sql, {"person_id": pid, "key": f"crash-{key}"})
    return True


def group_move(db, trainer, learners, scenario, passes_file: Path) -> bool:
    """The group session's next move; False once it has ended."""
    row = db.execute(
        "SELECT id FROM live_sessions WHERE title = :title", {"title": TITLE}
    ).fetchone()
    if row is None:
        made = live.create_session(db, trainer, TITLE, date(2026, 3, 5), "matin", scenario_ids=["porte"])  # fmt: skip
        ack("session", "SELECT 1 FROM live_sessions WHERE id = :id", {"id": made.id})
        return True
    session = live.get_session(db, row[0])
    if session.status == "ended":
        return False
    if session.status == "draft":
        live_flow.open_session(db, trainer, session.id)
        sql = "SELECT 1 FROM live_sessions WHERE id = :id AND status != 'draft'"
        ack("open", sql, {"id": session.id})
        return True
    if session.state is None:
        live_flow.start_scenario(db, trainer, session.id, scenario)
        sql = "SELECT 1 FROM live_sessions WHERE id = :id AND state IS NOT NULL"
        ack("start", sql, {"id": session.id})
        return True
    passes = json.loads(passes_file.read_text()) if passes_file.exists() else {}
    for person in learners:
        if str(person.id) not in passes:  # a phone that never got its pass joins (again)
            held = live_room.join(db, session.join_code, person=person, device=f"tel-{person.id}")
            passes[str(person.id)] = [held.participant_id, held.token]
            aside = passes_file.with_suffix(".tmp")
            aside.write_text(json.dumps(passes))
            aside.replace(passes_file)  # the phone keeps its pass, as in its URL
            ack(f"join-{person.id}", "SELECT 1 FROM live_participants WHERE id = :id", {"id": held.participant_id})  # fmt: skip
            return True
    return _decision_move(db, trainer, session, scenario, passes)


def _decision_move(db, trainer, session, scenario, passes: dict) -> bool:
    if session.decision_id is None:
        if engine.is_over(scenario, session.state):
            live_flow.end_session(db, trainer, session.id)
            ack(
                "end",
                "SELECT 1 FROM live_sessions WHERE id = :id AND status = 'ended'",
                {"id": session.id},
            )
            return True
        decision = live_flow.open_vote(db, trainer, session.id, scenario)
        sql = "SELECT 1 FROM live_decisions WHERE id = :id"
        ack(f"vote-{decision.number}", sql, {"id": decision.id})
        return True
    decision = live.get_decision(db, session.decision_id)
    choice = PLAN[len(session.state["history"])]
    voted = {r[0] for r in db.execute("SELECT participant_id FROM live_votes WHERE decision_id = :decision_id", {"decision_id": decision.id})}  # fmt: skip
    for participant_id, token in passes.values():
        if participant_id not in voted and decision.status == "open":
            live.vote(db, token, decision.id, choice)
            sql = (
                "SELECT 1 FROM live_votes"
                " WHERE decision_id = :decision_id AND participant_id = :participant_id"
            )
            vote = {"decision_id": decision.id, "participant_id": participant_id}
            ack(f"vote-{decision.id}-{participant_id}", sql, vote)
            return True
    if decision.status == "open":
        live_flow.reveal(db, trainer, session.id, scenario)
        sql = "SELECT 1 FROM live_decisions WHERE id = :id AND status IN ('revealed', 'closed')"
        ack(f"reveal-{decision.id}", sql, {"id": decision.id})
        return True
    live_flow.follow(db, trainer, session.id, scenario)
    ack(f"follow-{decision.id}", "SELECT 1 FROM live_decisions WHERE id = :id AND status = 'closed'", {"id": decision.id})  # fmt: skip
    return True


def drive(db_path: str, pause: float) -> None:
    """Play every learner and the group session to the end, one move of each per round."""
    scenario = load_scenario(SCENARIO_FILE)[0]
    with open_db(db_path) as db:
        setup(db)
        learners = [accounts.person_by_identifier(db, i) for i in LEARNERS]
        trainer = accounts.person_by_identifier(db, "crash.formatrice")
        passes_file = Path(db_path).with_suffix(".passes.json")
        busy = True
        while busy:
            busy = False
            for person in learners:
                busy |= solo_move(db, person, scenario)
                time.sleep(pause)
            busy |= group_move(db, trainer, learners, scenario, passes_file)
            time.sleep(pause)
    print(json.dumps({"done": True}), flush=True)


# --- The test --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(db_path: Path) -> dict:
    return {
        **os.environ,
        "PROXI_DB": str(db_path),
        "PROXI_SECRET": SECRET,
        "PROXI_MODULES_DIR": str(FIXTURES / "modules"),
        "PROXI_SCENARIOS_DIR": str(FIXTURES / "scenarios"),
        "PYTHONPATH": str(ROOT),
    }


def start_server(db_path: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         f"--server.port={port}", "--server.address=127.0.0.1", "--server.headless=true"],
        cwd=ROOT, env=environment(db_path), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    kill(server)
    raise AssertionError("the server did not answer /_stcore/health within 60 s")


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no clean-up, no checkpoint, exactly as a power cut of the process."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log_in_over_http(db_path: Path, port: int, identifier: str) -> str:
    """Log in as the login page does: a ticket, then the server's cookie route (it writes)."""
    with open_db(db_path) as db:
        ticket = accounts.issue_login_ticket(db, accounts.person_by_identifier(db, identifier).id)
    opener = urllib.request.build_opener(_NoRedirect)
    url = f"http://127.0.0.1:{port}/proxi-auth/complete?ticket={ticket}"
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as response:  # the 303 with the cookie
        cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "proxi_session=" in cookie
    return cookie.split("proxi_session=", 1)[1].split(";", 1)[0]


def login_storm(db_path: Path, port: int, cookies: list, stop: threading.Event) -> None:
    """Log people in over and over, so the server is writing when it is killed."""
    n = 0
    while not stop.is_set():
        try:
            cookies.append(log_in_over_http(db_path, port, LEARNERS[n % len(LEARNERS)]))
        except OSError:  # the server is gone (connection refused or cut)
            return
        n += 1


def run_driver(
    db_path: Path, stop_after: int | None, acks: list, server: subprocess.Popen | None = None
) -> subprocess.Popen:
    """Run the driver; with `stop_after`, SIGKILL it (and `server`) once that many writes are acked.

    A driver still running after DRIVER_DEADLINE_S is killed too (return code -9): a move
    that never takes (a write lost, or half-written) would otherwise loop for ever.
    """
    driver = subprocess.Popen(
        [sys.executable, __file__, "drive", str(db_path)],
        env=environment(db_path), stdout=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    watchdog = threading.Timer(DRIVER_DEADLINE_S, kill, [driver])
    watchdog.start()
    try:
        for line in driver.stdout:
            message = json.loads(line)
            if "ack" in message:
                acks.append(message)
            if stop_after is not None and len(acks) >= stop_after:
                # A few milliseconds on, so the kill lands anywhere in the next moves:
                # between them, or inside a transaction.
                time.sleep(KILL_DELAY.uniform(0, 0.012))
                kill(driver)
                if server is not None:
                    kill(server)
                break
        driver.wait()
    finally:
        watchdog.cancel()
    return driver


def snapshot(db_path: Path) -> dict:
    """What must be identical to an uninterrupted run: no ids, no timestamps."""
    db = open_db(db_path)
    score_sql, outcome_sql = (
        json_field(db, "e.result", "score"),
        json_field(db, "e.result", "outcome"),
    )
    node_sql = json_field(db, "state", "node")  # scenario_progress's and live_sessions' state
    queries = {
        "events": "SELECT p.identifier, e.verb, e.object_type, e.object_id, e.node_id,"
        f" e.choice_index, {score_sql}, {outcome_sql}, e.play_mode, e.idempotency_key IS NULL"
        " FROM events e JOIN people p ON p.id = e.person_id",
        "modules": "SELECT p.identifier, module_id, status, lessons_done, quiz_best,"
        " quiz_attempts FROM module_progress m JOIN people p ON p.id = m.person_id",
        "lessons": "SELECT p.identifier, lesson_id, steps_seen, completed_at IS NULL"
        " FROM lesson_progress l JOIN people p ON p.id = l.person_id",
        "scenarios": "SELECT p.identifier, scenario_id, plays, endings, best_outcome,"
        f" {node_sql} FROM scenario_progress s JOIN people p ON p.id = s.person_id",
        "decisions": "SELECT number, node_id, path, chosen, status FROM live_decisions",
        "votes": "SELECT d.number, p.identifier, v.choice FROM live_votes v"
        " JOIN live_decisions d ON d.id = v.decision_id"
        " JOIN live_participants lp ON lp.id = v.participant_id"
        " JOIN people p ON p.id = lp.person_id",
        "participants": "SELECT p.identifier FROM live_participants lp JOIN people p"
        " ON p.id = lp.person_id",
        "sessions": f"SELECT title, status, {node_sql} FROM live_sessions",
    }
    found = {name: Counter(db.execute(sql).fetchall()) for name, sql in queries.items()}
    db.close()
    return found


def check_after_crash(db_path: Path, acks: list) -> None:
    db = sqlite3.connect(db_path)  # what the restarted server will open
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    lost = [a["ack"] for a in acks if db.execute(*a["check"]).fetchone() is None]
    assert lost == [], f"acknowledged writes lost in the crash: {lost}"
    db.close()


def test_sigkill_mid_way_then_restart_everyone_resumes_nothing_duplicated(tmp_path):
    reference_db = tmp_path / "reference" / "progress.db"
    reference_db.parent.mkdir()
    reference_acks: list = []
    assert run_driver(reference_db, None, reference_acks).returncode == 0
    total = len(reference_acks)
    assert total > 80  # the plan really has many moves to interrupt

    db_path, port = tmp_path / "crash" / "progress.db", free_port()
    db_path.parent.mkdir()
    with open_db(db_path) as db:
        setup(db)
    server, acks, cookies = start_server(db_path, port), [], []
    try:
        for tenth in range(1, 10):
            if tenth not in SERVER_KILLS:
                run_driver(db_path, total * tenth // 10, acks)  # the writers die mid-way
            else:  # ... and three times the server with them, in the middle of logins
                stop = threading.Event()
                storm = threading.Thread(target=login_storm, args=(db_path, port, cookies, stop))
                storm.start()
                time.sleep(0.3)
                run_driver(db_path, total * tenth // 10, acks, server)
                stop.set()
                storm.join()
            check_after_crash(db_path, acks)
            if server.poll() is not None:
                server = start_server(db_path, port)
        finished = run_driver(db_path, None, acks)
        assert finished.returncode == 0, "after the crashes, the moves no longer finish"
        cookies.append(log_in_over_http(db_path, port, LEARNERS[3]))
    finally:
        kill(server)

    check_after_crash(db_path, acks)
    assert snapshot(db_path) == snapshot(reference_db)
    from proxi.web.auth import session_token_from_cookie

    assert len(cookies) > 10
    with open_db(db_path) as db:
        for cookie in cookies:  # every login the server answered survived its crash
            token = session_token_from_cookie(cookie, SECRET.encode())
            person = accounts.person_for_session(db, token)
            assert person is not None and person.identifier.startswith("crash."), cookie
        ended = db.execute("SELECT COUNT(*) FROM events WHERE verb = 'ended'").fetchone()[0]
        assert ended == 2 * len(LEARNERS)  # each learner's own ending, and the group's


if __name__ == "__main__":
    if sys.argv[1:2] == ["drive"]:
        drive(sys.argv[2], pause=0.002)
