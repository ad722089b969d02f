"""The data tests start from, built in code. Only tests/conftest.py imports this module:
tests receive these worlds as fixtures, so no test module imports another.

- a group session: the fixture scenario « porte », a trainer and three learners of
  « Habitat 93 », an open session (`open_room`), and phones joining it (`join_all`);
- two landlords (`two_landlords`): managers, learners, a coordinator and a trainer, some
  progress and one past group session, at the clock `LANDLORDS_NOW`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from proxi.content.scenario import load_scenario
from proxi.live import flow as live_flow
from proxi.live import room as live_room
from proxi.live import sessions as live
from proxi.people import accounts
from proxi.people.permissions import OPERATOR
from proxi.progress import store
from proxi.progress.db import inserted_id, open_db

FIXTURES = Path(__file__).parent / "fixtures"
PORTE = FIXTURES / "scenarios" / "porte.yaml"
PASSWORD = "mot-de-passe-solide"
LANDLORDS_NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


# --- A group session ------------------------------------------------------------------------


def load_porte():
    scenario, findings = load_scenario(PORTE)
    assert scenario is not None, findings
    return scenario


def make_people(db, organisation=("Habitat 93", "bailleur"), trainer="formatrice", learners=3):
    """(org, trainer, learners): an organisation, a trainer « Claire Formatrice » and
    `learners` of its learners, « Agent 0 », « Agent 1 »..."""
    org = accounts.create_organisation(db, OPERATOR, *organisation)
    trainer_person = accounts.create_person(
        db, OPERATOR, trainer, "Claire Formatrice", "motdepasse-123", roles=["trainer"]
    )
    people = [
        accounts.create_person(
            db, OPERATOR, f"agent{i}", f"Agent {i}", "motdepasse-123", organisation_id=org.id
        )
        for i in range(learners)
    ]
    return org, trainer_person, people


def open_room(porte):
    """An in-memory database with a trainer, three learners and an open session on « porte »."""
    db = open_db(":memory:")
    org, trainer, learners = make_people(db)
    session = live.create_session(
        db,
        trainer,
        "Tensions au quotidien",
        date(2026, 3, 12),
        "matin",
        "Salle 2",
        [org.id],
        ["porte"],
    )
    code = live_flow.open_session(db, trainer, session.id)
    live_flow.start_scenario(db, trainer, session.id, porte)
    return db, trainer, learners, session.id, code


def join_all(db, code, learners, guests=()):
    passes = [live_room.join(db, code, person=p, device=f"p{p.id}") for p in learners]
    return passes + [live_room.join(db, code, guest_name=g, device=g) for g in guests]


# --- Two landlords ---------------------------------------------------------------------------


def two_landlords(db) -> dict[str, int]:
    """Landlords A and B with a manager and two learners each, a coordinator, a trainer
    whose one group session had B's Bruno in it; A's Alice completed module m1, A's Arthur
    failed its quiz; Bruno and Alice played scenario s1 (solo), Bruno voted in the session."""
    a = accounts.create_organisation(db, OPERATOR, "Habitat A", "bailleur").id
    b = accounts.create_organisation(db, OPERATOR, "Logis B", "bailleur").id
    people = {
        "coord": ("coord", "Claire Coord", None, "", "autre", ("coordinator",)),
        "manager_a": ("manager.a", "Julien Chef", a, "", "manager-proximite", ("manager",)),
        "manager_b": ("manager.b", "Sophie Chef", b, "", "manager-proximite", ("manager",)),
        "trainer": ("formatrice", "Nadia Forme", None, "", "autre", ("trainer",)),
        "alice": ("alice", "Alice Abri", a, "Nord", "gardien", ("learner",)),
        "arthur": ("arthur", "Arthur Ache", a, "Sud", "mediateur", ("learner",)),
        "bruno": ("bruno", "Bruno Bel", b, "Nord", "gardien", ("learner",)),
        "berthe": ("berthe", "Berthe Bô", b, "Est", "agent-administratif", ("learner",)),
    }
    ids = {"org_a": a, "org_b": b}
    for key, (identifier, name, org, site, job, roles) in people.items():
        ids[key] = accounts.create_person(
            db, OPERATOR, identifier, name, PASSWORD, organisation_id=org, site=site, job_category=job,
            roles=roles,
        ).id  # fmt: skip
    _learn(db, ids)
    _group_session(db, ids)
    return ids


def _learn(db, ids: dict[str, int]) -> None:
    at = LANDLORDS_NOW - timedelta(days=10)
    store.record_step(db, ids["alice"], "m1", "l1", 0, 1, ["l1"], now=at)
    store.record_quiz(db, ids["alice"], "m1", 9, 10, 70, ["l1"], now=at)
    store.record_quiz(db, ids["arthur"], "m1", 3, 10, 70, ["l1"], now=at)
    _play(db, ids["bruno"], [("n1", 0), ("n2", 1)], "favourable", at)
    _play(db, ids["alice"], [("n1", 1)], None, at)


def _play(db, person_id: int, choices, outcome: str | None, at: datetime) -> None:
    state = {"node": "n1"}
    store.record_scenario_state(db, person_id, "s1", state, "started", now=at)
    for node_id, index in choices:
        store.record_scenario_state(
            db, person_id, "s1", state, "chose", node_id=node_id, response=index, now=at
        )
    if outcome:
        store.record_scenario_state(
            db, person_id, "s1", state, "ended", node_id="fin", response="fin", outcome=outcome,
            now=at,
        )  # fmt: skip


def _group_session(db, ids: dict[str, int]) -> None:
    stamp = (LANDLORDS_NOW - timedelta(days=5)).isoformat()
    session = inserted_id(
        db.execute(
            "INSERT INTO live_sessions (title, day, half_day, place, trainer_id, status,"
            " created_at, opened_at, ended_at) VALUES ('Conflits', '2026-02-25', 'matin',"
            " 'Salle 1', :trainer_id, 'ended', :stamp, :stamp, :stamp) RETURNING id",
            {"trainer_id": ids["trainer"], "stamp": stamp},
        )
    )
    participant = inserted_id(
        db.execute(
            "INSERT INTO live_participants (session_id, person_id, joined_at)"
            " VALUES (:session_id, :person_id, :joined_at) RETURNING id",
            {"session_id": session, "person_id": ids["bruno"], "joined_at": stamp},
        )
    )
    db.execute(
        "INSERT INTO live_participants (session_id, guest_name, joined_at)"
        " VALUES (:session_id, 'Invité', :joined_at)",
        {"session_id": session, "joined_at": stamp},
    )
    decision = inserted_id(
        db.execute(
            "INSERT INTO live_decisions (session_id, number, scenario_id, node_id, path, choices,"
            " status, chosen, opened_at) VALUES (:session_id, 1, 's1', 'n1', '[]', '[0,1,2]',"
            " 'closed', 2, :opened_at) RETURNING id",
            {"session_id": session, "opened_at": stamp},
        )
    )
    db.execute(
        "INSERT INTO live_votes (decision_id, participant_id, choice, voted_at)"
        " VALUES (:decision_id, :participant_id, 2, :voted_at)",
        {"decision_id": decision, "participant_id": participant, "voted_at": stamp},
    )
    db.conn.commit()
    # As proxi.live.flow records a revealed vote: a group « chose » event per known voter.
    store.record_scenario_state(
        db, ids["bruno"], "s1", {"node": "n1"}, "chose", node_id="n1", response=2,
        session_id=f"live-{session}", mode="group", now=LANDLORDS_NOW - timedelta(days=5),
    )  # fmt: skip
    ids["session"] = session


def count(db, table: str) -> int:
    """The rows of one of the store's tables."""
    return db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def everything_stored(db) -> str:
    """Every value of every table, as one text (to prove a secret is not in it)."""
    from proxi.progress import dialect

    return "\n".join(
        repr(row)
        for table in dialect.table_names(db)
        for row in db.execute(f'SELECT * FROM "{table}"')
    )


# --- HTTP routes --------------------------------------------------------------------------


def asgi_get(routes, path: str, query: str = "", headers=(), scheme: str = "http"):
    """GET through Starlette `routes` as uvicorn would: (status, [(header, value)], body)."""
    import asyncio

    from starlette.applications import Starlette

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": scheme, "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": query.encode(), "server": ("proxi.test", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [(b"host", b"proxi.test")]
        + [(name.lower().encode(), value.encode()) for name, value in headers],
    }  # fmt: skip
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(Starlette(routes=routes)(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    answer = [(k.decode().lower(), v.decode()) for k, v in start["headers"]]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], answer, body
