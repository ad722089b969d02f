"""Group sessions (forum-theatre mode): what a session is, its decisions and its votes.

A trainer runs a scenario for a room of 8-25 people; each person votes on a phone (or
the trainer types the show of hands). This module owns the session and decision records,
the join codes, the votes and the snapshot that screens poll. The trainer's moves (open
the vote, freeze, reveal, follow, rejouer, end) are the state machine in
`proxi.live.flow`; who is in the room (joining, throttling, participants, roles) is
`proxi.live.room`; the map, the summary and the attendance sheet are `proxi.live.report`.

Everything lives in SQLite (tables `live_*`, migration m010): a server restart in the
middle of a session loses nothing. Phones and the projector poll `snapshot`, one primary
key lookup plus one primary-key range of at most a few dozen votes.

Votes. One current vote per participant per decision (the primary key); a new vote
replaces the previous one until the trainer freezes or reveals. The check of the
decision's status and the write happen in one IMMEDIATE transaction, so no vote can land
after the reveal has been computed.

Against the herd effect, a session can hide the projector's counts until each reveal
(`hide_counts`, read by `Snapshot.counts_shown`), and a vote can carry a countdown
(`closes_at`, wall-clock time, running on through an « arrêt sur image »): a phone's vote
after it is refused.
"""

from __future__ import annotations

import json
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from proxi.content.engine import State
from proxi.content.scenario import Scenario, choice_letter
from proxi.dates import french_date, iso, utc
from proxi.errors import NotAllowed, ProxiError
from proxi.people import passwords, permissions
from proxi.people.accounts import Person
from proxi.progress.db import Database, inserted_id, write_transaction

VOTING = ("open", "frozen")  # decision statuses before the reveal
HALF_DAYS = {"matin": "Matin", "apres-midi": "Après-midi"}  # each has its émargement sheet
# What a session covers: one half-day, or the whole day (both sheets).
SPANS = {**HALF_DAYS, "journee": "Journée"}
# No 0/O, 1/I/L: codes are read off a projector and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
NO_PASS = "Vous ne participez pas (ou plus) à cette séance : rejoignez-la avec son code."


class LiveError(ProxiError):
    """A group-session action that the session's current state does not allow."""


class JoinRefused(LiveError):
    """A join refused: wrong or expired code, too many attempts, missing name."""


class VoteRefused(LiveError):
    """A vote refused: the decision is not open, or the choice is not offered."""


class NotTheTrainer(NotAllowed):
    """Only the session's trainer (or a coordinator) may drive it."""


@dataclass(frozen=True)
class LiveSession:
    id: int
    title: str
    day: str
    half_day: str  # a key of SPANS
    place: str
    organisation_ids: tuple[int, ...]
    scenario_ids: tuple[str, ...]
    trainer_id: int
    status: str  # draft | open | ended
    join_code: str | None
    scenario_id: str | None
    state: State | None  # the group's engine state in `scenario_id`
    decision_id: int | None
    notes: str
    created_at: str
    opened_at: str | None
    ended_at: str | None
    hide_counts: bool = False  # the projector shows no count before the reveal

    @property
    def label(self) -> str:
        return f"{french_date(self.day)} ({self.span_label}) — {self.title}"

    @property
    def span_label(self) -> str:
        """« matin », « après-midi » or « journée », as a sentence reads it."""
        return SPANS[self.half_day].lower()

    @property
    def half_days(self) -> tuple[str, ...]:
        """The half-days this session has an émargement sheet for."""
        return tuple(HALF_DAYS) if self.half_day == "journee" else (self.half_day,)


@dataclass(frozen=True)
class Decision:
    """One visit of a decision node by the group: its vote, and the choice followed."""

    id: int
    session_id: int
    number: int
    scenario_id: str
    node_id: str
    path: tuple[int, ...]  # choice indexes from the start to this node
    choices: tuple[int, ...]  # choice indexes offered, in authored order
    status: str  # open | frozen | revealed | closed
    hands: dict[int, int]
    chosen: int | None
    opened_at: str
    revealed_at: str | None
    closed_at: str | None
    closes_at: str | None = None  # the countdown's end; votes after it are refused

    def seconds_left(self, now: datetime | None = None) -> int | None:
        """Whole seconds until the countdown ends (0 once over); None without one."""
        if self.closes_at is None:
            return None
        left = (datetime.fromisoformat(self.closes_at) - utc(now)).total_seconds()
        return max(0, math.ceil(left))


@dataclass(frozen=True)
class Participant:
    id: int
    session_id: int
    person_id: int | None
    name: str
    organisation: str
    role_key: str | None
    joined_at: str

    @property
    def is_guest(self) -> bool:
        return self.person_id is None


@dataclass(frozen=True)
class Pass:
    """What a phone keeps after joining: its session, who it is, and its secret token."""

    session_id: int
    participant_id: int
    token: str


@dataclass(frozen=True)
class Option:
    """A choice as the room sees it: lettered by position, A, B, C..."""

    letter: str
    index: int
    text: str
    feedback: str


@dataclass(frozen=True)
class Snapshot:
    """What a projector or a phone needs each poll, from two indexed reads."""

    status: str
    scenario_id: str | None
    state: State | None
    decision: Decision | None
    counts: dict[int, int] = field(default_factory=dict)  # phones + hands, per choice
    phone_votes: int = 0
    participants: int = 0
    hide_counts: bool = False

    @property
    def counts_shown(self) -> bool:
        """Whether the projector may show the counts: always, or once revealed."""
        return not (self.hide_counts and self.decision and self.decision.status in VOTING)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def majority(self) -> int | None:
        return majority(self.counts)


def majority(counts: dict[int, int]) -> int | None:
    """The choice with the most votes; None on a tie or with no vote at all."""
    best = leaders(counts)
    return best[0] if len(best) == 1 and counts[best[0]] else None


def leaders(counts: dict[int, int]) -> list[int]:
    """The choices tied for the most votes (every choice when nobody voted)."""
    best = max(counts.values(), default=0)
    return [index for index, count in counts.items() if count == best]


# --- Sessions --------------------------------------------------------------------------

_SESSION_COLUMNS = (
    "id, title, day, half_day, place, organisation_ids, scenario_ids, trainer_id, status,"
    " join_code, scenario_id, state, decision_id, notes, created_at, opened_at, ended_at,"
    " hide_counts"
)


def create_session(
    db: Database,
    actor: Person,
    title: str,
    day: date,
    half_day: str,
    place: str = "",
    organisation_ids: Iterable[int] = (),
    scenario_ids: Iterable[str] = (),
) -> LiveSession:
    """A draft session led by `actor`; it gets its join code when it opens."""
    if not permissions.may(actor, "session.run"):
        raise NotTheTrainer("Seuls les formateurs et la coordination créent des séances.")
    if not title.strip():
        raise LiveError("Donnez un titre à la séance.")
    if half_day not in SPANS:
        raise LiveError(f"Durée inconnue « {half_day} » : matin, après-midi ou journée.")
    if not list(scenario_ids):
        raise LiveError("Choisissez au moins une mise en situation pour la séance.")
    with write_transaction(db):
        cursor = db.execute(
            "INSERT INTO live_sessions (title, day, half_day, place, organisation_ids,"
            " scenario_ids, trainer_id, created_at) VALUES (:title, :day, :half_day, :place,"
            " :organisation_ids, :scenario_ids, :trainer_id, :created_at) RETURNING id",
            {
                "title": title.strip(),
                "day": day.isoformat(),
                "half_day": half_day,
                "place": place.strip(),
                "organisation_ids": json.dumps(list(organisation_ids)),
                "scenario_ids": json.dumps(list(scenario_ids)),
                "trainer_id": actor.id,
                "created_at": iso(),
            },
        )
        session_id = inserted_id(cursor)  # before the commit: it reads the returned row
    return get_session(db, session_id)


def get_session(db: Database, session_id: int) -> LiveSession:
    row = db.execute(
        f"SELECT {_SESSION_COLUMNS} FROM live_sessions WHERE id = :session_id",
        {"session_id": session_id},
    ).fetchone()
    if row is None:
        raise LiveError("Cette séance n'existe pas.")
    return _session(row)


def sessions_for(db: Database, actor: Person) -> list[LiveSession]:
    """The trainer's own sessions (a coordinator sees all), most recent first."""
    sql = f"SELECT {_SESSION_COLUMNS} FROM live_sessions"
    params: dict = {}
    if not permissions.everywhere(actor):
        sql, params = sql + " WHERE trainer_id = :trainer_id", {"trainer_id": actor.id}
    return [_session(row) for row in db.execute(sql + " ORDER BY day DESC, id DESC", params)]


def _session(row: tuple) -> LiveSession:
    values = list(row)
    values[5], values[6] = tuple(json.loads(values[5])), tuple(json.loads(values[6]))
    values[11] = json.loads(values[11]) if values[11] else None
    values[17] = bool(values[17])
    return LiveSession(*values)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a person typed, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def event_session_id(session_id: int) -> str:
    """How a group session is named in learning events (solo play has none)."""
    return f"live-{session_id}"


def require_trainer(db: Database, actor: Person | None, session_id: int) -> LiveSession:
    """The session, if `actor` may drive it: its trainer, or a coordinator."""
    session = get_session(db, session_id)
    if not permissions.may(actor, "session.run", session):
        raise NotTheTrainer(permissions.ACTS["session.run"])
    return session


# --- Votes -----------------------------------------------------------------------------


def vote(
    db: Database,
    token: str,
    decision_id: int,
    choice: int,
    now: datetime | None = None,
) -> None:
    """Record (or replace) the participant's vote on an open decision."""
    with write_transaction(db):
        row = db.execute(
            "SELECT ps.participant_id, p.session_id, s.status, d.session_id, d.status, d.choices,"
            " d.closes_at"
            " FROM live_passes ps JOIN live_participants p ON p.id = ps.participant_id"
            " JOIN live_sessions s ON s.id = p.session_id"
            " LEFT JOIN live_decisions d ON d.id = :decision_id WHERE ps.token_hash = :token_hash",
            {"decision_id": decision_id, "token_hash": passwords.token_hash(token)},
        ).fetchone()
        participant_id = _check_vote(row, choice, iso(now))
        db.execute(
            "INSERT INTO live_votes (decision_id, participant_id, choice, voted_at)"
            " VALUES (:decision_id, :participant_id, :choice, :voted_at)"
            " ON CONFLICT (decision_id, participant_id)"
            " DO UPDATE SET choice = excluded.choice, voted_at = excluded.voted_at",
            {
                "decision_id": decision_id,
                "participant_id": participant_id,
                "choice": choice,
                "voted_at": iso(now),
            },
        )


def _check_vote(row: tuple | None, choice: int, now: str) -> int:
    if row is None:
        raise VoteRefused(NO_PASS)
    participant_id, session_id, session_status, decision_session, status, offered, closes = row
    if session_status == "ended":
        raise VoteRefused(
            "La séance est terminée : les votes sont clos. Merci de votre participation !"
        )
    if decision_session != session_id:
        raise VoteRefused("Ce vote n'existe pas dans votre séance.")
    if status == "frozen":
        raise VoteRefused(
            "Arrêt sur image : le vote est suspendu pendant la discussion. Attendez sa reprise."
        )
    if status == "revealed":
        raise VoteRefused(
            "Ce vote est clos : le résultat a été dévoilé. Votre choix n'a pas été enregistré."
        )
    if status != "open":
        raise VoteRefused("Ce vote est clos : votre choix n'a pas été enregistré.")
    if closes is not None and now >= closes:
        raise VoteRefused("Le temps est écoulé : votre choix n'a pas été enregistré.")
    if choice not in json.loads(offered):
        raise VoteRefused("Ce choix n'est pas proposé à ce vote.")
    return participant_id


def my_vote(db: Database, participant_id: int, decision_id: int) -> int | None:
    row = db.execute(
        "SELECT choice FROM live_votes WHERE decision_id = :decision_id"
        " AND participant_id = :participant_id",
        {"decision_id": decision_id, "participant_id": participant_id},
    ).fetchone()
    return row[0] if row else None


def tally(db: Database, decision: Decision) -> tuple[dict[int, int], int]:
    """(count per offered choice, phones + hands; number of phone votes)."""
    counts = dict.fromkeys(decision.choices, 0)
    phones = 0
    for choice, count in db.execute(
        "SELECT choice, count(*) FROM live_votes WHERE decision_id = :decision_id GROUP BY choice",
        {"decision_id": decision.id},
    ):
        counts[choice] = counts.get(choice, 0) + count
        phones += count
    for choice, count in decision.hands.items():
        counts[choice] = counts.get(choice, 0) + count
    return counts, phones


def snapshot(db: Database, session_id: int) -> Snapshot:
    """The session as a projector or a phone shows it; cheap enough to poll every 2 s."""
    row = db.execute(
        "SELECT status, scenario_id, state, decision_id,"
        " (SELECT count(*) FROM live_participants WHERE session_id = s.id), hide_counts"
        " FROM live_sessions s WHERE id = :session_id",
        {"session_id": session_id},
    ).fetchone()
    if row is None:
        raise LiveError("Cette séance n'existe pas.")
    status, scenario_id, state, decision_id, people, hide = row
    decision = get_decision(db, decision_id) if decision_id else None
    counts, phones = tally(db, decision) if decision else ({}, 0)
    state = json.loads(state) if state else None
    return Snapshot(status, scenario_id, state, decision, counts, phones, people, bool(hide))


# --- Decisions (read) ------------------------------------------------------------------

_DECISION_COLUMNS = (
    "id, session_id, number, scenario_id, node_id, path, choices, status, hands, chosen,"
    " opened_at, revealed_at, closed_at, closes_at"
)


def get_decision(db: Database, decision_id: int) -> Decision:
    row = db.execute(
        f"SELECT {_DECISION_COLUMNS} FROM live_decisions WHERE id = :decision_id",
        {"decision_id": decision_id},
    ).fetchone()
    if row is None:
        raise LiveError("Cette décision n'existe pas.")
    return _decision(row)


def decisions(db: Database, session_id: int) -> list[Decision]:
    """Every decision of the session, in the order the group met them."""
    rows = db.execute(
        f"SELECT {_DECISION_COLUMNS} FROM live_decisions WHERE session_id = :session_id"
        " ORDER BY number",
        {"session_id": session_id},
    )
    return [_decision(row) for row in rows]


def _decision(row: tuple) -> Decision:
    values = list(row)
    values[5], values[6] = tuple(json.loads(values[5])), tuple(json.loads(values[6]))
    values[8] = {int(k): v for k, v in json.loads(values[8]).items()}
    return Decision(*values)


def options(scenario: Scenario, node_id: str, indexes: Iterable[int]) -> list[Option]:
    """The offered choices of a node, lettered A, B, C... in the order offered."""
    node = scenario.nodes[node_id]
    return [
        Option(
            choice_letter(position), index, node.choices[index].text, node.choices[index].feedback
        )
        for position, index in enumerate(indexes)
    ]


# --- Small helpers -------------------------------------------------------------------
