"""Who is in the room: joining by code, join throttling, participants, roles, attendance.

Joining. A session gets an 8-character code when it opens (31 unambiguous symbols, so
8.5e11 codes); the code stops working when the session ends. A wrong code counts against
the device (the tab, or the logged-in person) and, loosely, against its network address:
a whole room shares one Wi-Fi address, so that limit is high. Too many wrong codes lock
the device out for a while, whatever it types next. The failures are stored in SQLite,
so neither a restart nor a new tab of the same person resets them.

A successful join hands back a pass token, kept by the phone (in its session state and
its URL, so a refresh keeps it) and stored here only as a hash: votes need it, and it can
do nothing else. A logged-in person who joins again gets the same participant row (and a
new pass); a guest is a name, which the trainer can later tie to a person with
`match_guest` so that the attendance and the votes reach that person's record.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlite_utils

from proxi.content.scenario import Scenario
from proxi.live import flow as live_flow
from proxi.live import sessions as live
from proxi.live.sessions import (
    JoinRefused,
    LiveError,
    LiveSession,
    Participant,
    Pass,
    event_session_id,
    get_session,
    iso,
    require_trainer,
)
from proxi.people import accounts
from proxi.people.accounts import Person
from proxi.progress import store
from proxi.progress.db import inserted_id, write_transaction

# Wrong codes allowed per window before a lockout: per device, then per network address.
JOIN_WINDOW = timedelta(minutes=10)
JOIN_LIMITS = {"device": 5, "network": 40}
MAX_NAME = 60

WRONG_CODE = "Ce code ne correspond à aucune séance en cours. Vérifiez-le au tableau et réessayez."


# --- Joining ---------------------------------------------------------------------------


def join(
    db: sqlite_utils.Database,
    code: str,
    *,
    person: Person | None = None,
    guest_name: str = "",
    device: str,
    network: str | None = None,
    now: datetime | None = None,
) -> Pass:
    """Join an open session by its code, as a logged-in person or as a named guest.

    `device` identifies the tab or the person for throttling; `network` is the client's
    address when known (a looser limit: a whole room may share one).
    """
    now = live.aware(now)
    keys = {"device": f"device:{device}"}
    if network:
        keys["network"] = f"ip:{network}"
    _check_throttle(db, keys, now)
    guest_name = " ".join(guest_name.split())
    if person is None and not guest_name:
        raise JoinRefused("Indiquez votre prénom et votre nom pour rejoindre la séance.")
    if len(guest_name) > MAX_NAME:
        raise JoinRefused(f"Le nom est trop long ({MAX_NAME} caractères au plus).")
    row = db.execute(
        "SELECT id FROM live_sessions WHERE join_code = ? AND status = 'open'",
        [live.normalise_code(code)],
    ).fetchone()
    if row is None:
        _record_failure(db, keys.values(), now)
        raise JoinRefused(WRONG_CODE)
    return _enter(db, get_session(db, row[0]), person, guest_name, now)


def _enter(
    db: sqlite_utils.Database,
    session: LiveSession,
    person: Person | None,
    guest_name: str,
    now: datetime,
) -> Pass:
    token = secrets.token_urlsafe(24)
    with write_transaction(db):
        found = (
            person
            and db.execute(
                "SELECT id FROM live_participants WHERE session_id = ? AND person_id = ?",
                [session.id, person.id],
            ).fetchone()
        )
        participant_id = (
            found[0] if found else _insert_participant(db, session, person, guest_name, now)
        )
        db.execute(
            "INSERT INTO live_passes (token_hash, participant_id) VALUES (?, ?)",
            [live.token_hash(token), participant_id],
        )
        if person is not None:
            record_attended(db, session, person.id)
    return Pass(session.id, participant_id, token)


def _insert_participant(db, session, person, guest_name, now) -> int:
    cursor = db.execute(
        "INSERT INTO live_participants (session_id, person_id, guest_name, joined_at)"
        " VALUES (?, ?, ?, ?)",
        [session.id, person.id if person else None, None if person else guest_name, iso(now)],
    )
    return inserted_id(cursor)


def _check_throttle(db: sqlite_utils.Database, keys: dict[str, str], now: datetime) -> None:
    for kind, key in keys.items():
        limit = JOIN_LIMITS[kind]
        rows = db.execute(
            "SELECT failed_at FROM live_join_failures WHERE key = ? AND failed_at > ?"
            " ORDER BY failed_at DESC LIMIT ?",
            [key, iso(now - JOIN_WINDOW), limit],
        ).fetchall()
        if len(rows) >= limit:
            free_at = datetime.fromisoformat(rows[-1][0]) + JOIN_WINDOW
            minutes = max(1, math.ceil((free_at - now).total_seconds() / 60))
            raise JoinRefused(
                f"Trop de codes erronés depuis cet appareil. Réessayez dans {minutes} minute(s),"
                " ou demandez au formateur de vous inscrire."
            )


def _record_failure(db: sqlite_utils.Database, keys: Iterable[str], now: datetime) -> None:
    # Its own transaction: the refusal that follows must not roll it back.
    with write_transaction(db):
        db.execute("DELETE FROM live_join_failures WHERE failed_at < ?", [iso(now - timedelta(1))])
        for key in keys:
            db.execute(
                "INSERT INTO live_join_failures (key, failed_at) VALUES (?, ?)", [key, iso(now)]
            )


def participant_for(db: sqlite_utils.Database, token: str | None) -> Participant | None:
    """The participant holding this pass token, or None."""
    if not token:
        return None
    row = db.execute(
        "SELECT participant_id FROM live_passes WHERE token_hash = ?", [live.token_hash(token)]
    ).fetchone()
    return _participants(db, "p.id = ?", [row[0]])[0] if row else None


# --- Participants (the trainer's side) ---------------------------------------------------


def participants(db: sqlite_utils.Database, session_id: int) -> list[Participant]:
    return _participants(db, "p.session_id = ?", [session_id])


def _participants(db: sqlite_utils.Database, where: str, params: list) -> list[Participant]:
    rows = db.execute(
        "SELECT p.id, p.session_id, p.person_id, COALESCE(pe.display_name, p.guest_name),"
        " COALESCE(o.name, ''), p.role_key, p.joined_at FROM live_participants p"
        " LEFT JOIN people pe ON pe.id = p.person_id"
        " LEFT JOIN organisations o ON o.id = pe.organisation_id"
        f" WHERE {where} ORDER BY p.joined_at, p.id",
        params,
    )
    return [Participant(*row) for row in rows]


def add_participant(
    db: sqlite_utils.Database,
    actor: Person,
    session_id: int,
    *,
    person: Person | None = None,
    guest_name: str = "",
) -> Participant:
    """The trainer signs someone in (no phone): they count as present from now."""
    session = require_trainer(db, actor, session_id)
    if session.status == "ended":
        raise LiveError("La séance est terminée : l'émargement est clos.")
    guest_name = " ".join(guest_name.split())[:MAX_NAME]
    if person is None and not guest_name:
        raise LiveError("Choisissez une personne ou saisissez un nom.")
    # The pass made here is never handed out: this participant votes by show of hands.
    created = _enter(db, session, person, guest_name, live.aware(None))
    return _participants(db, "p.id = ?", [created.participant_id])[0]


def match_guest(
    db: sqlite_utils.Database,
    actor: Person,
    participant_id: int,
    person: Person,
    scenarios: dict[str, Scenario],
) -> None:
    """Tie a guest to a person: their attendance and past votes go to that person's record."""
    participant = _participants(db, "p.id = ?", [participant_id])
    if not participant or not participant[0].is_guest:
        raise LiveError("Ce participant n'est pas un invité à rattacher.")
    session = require_trainer(db, actor, participant[0].session_id)

    with write_transaction(db):
        if db.execute(
            "SELECT 1 FROM live_participants WHERE session_id = ? AND person_id = ?",
            [session.id, person.id],
        ).fetchone():
            raise LiveError(f"{person.display_name} participe déjà à cette séance.")
        db.execute(
            "UPDATE live_participants SET person_id = ?, guest_name = NULL WHERE id = ?",
            [person.id, participant_id],
        )
        record_attended(db, session, person.id)
        for decision in live.decisions(db, session.id):
            if decision.status in ("revealed", "closed") and decision.scenario_id in scenarios:
                live_flow.record_votes(db, session, decision, scenarios[decision.scenario_id])


def match_candidates(db: sqlite_utils.Database, session: LiveSession) -> list[Person]:
    """Whom a guest may be tied to: active people of the organisations present (else all)."""
    people = [
        p
        for organisation_id in session.organisation_ids or [None]
        for p in accounts.list_people(db, organisation_id)
    ]
    present = {p.person_id for p in participants(db, session.id)}
    unique = {p.id: p for p in people if p.active and p.id not in present}
    return sorted(unique.values(), key=lambda p: p.display_name)


def assign_role(
    db: sqlite_utils.Database, actor: Person, participant_id: int, role_key: str | None
) -> None:
    """Give a participant a character to play (None takes the role back)."""
    found = _participants(db, "p.id = ?", [participant_id])
    if not found:
        raise LiveError("Ce participant n'existe pas.")
    require_trainer(db, actor, found[0].session_id)
    with write_transaction(db):
        db.execute(
            "UPDATE live_participants SET role_key = ? WHERE id = ?", [role_key, participant_id]
        )


def players(db: sqlite_utils.Database, session_id: int) -> dict[str, list[str]]:
    """Character key -> names of the participants who play it."""
    cast: dict[str, list[str]] = {}
    for participant in participants(db, session_id):
        if participant.role_key:
            cast.setdefault(participant.role_key, []).append(participant.name)
    return cast


def record_attended(db: sqlite_utils.Database, session: LiveSession, person_id: int) -> None:
    """The learning store's « a participé » statement, once per person and session."""
    store.record_event(
        db,
        person_id,
        "attended",
        "session",
        event_session_id(session.id),
        result={"completion": True},
        context={
            "session_id": event_session_id(session.id),
            "day": session.day,
            "half_day": session.half_day,
            "mode": "group",
        },
        idempotency_key=f"{event_session_id(session.id)}-attended",
    )
