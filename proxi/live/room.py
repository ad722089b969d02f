"""Who is in the room: joining by code, join throttling, participants, roles, attendance.

Joining. A session gets an 8-character code when it opens (31 unambiguous symbols, so
8.5e11 codes); the code stops working when the session ends. A wrong code counts against
the device (the logged-in person, or the browser: its device cookie, proxi.web.edge) and,
loosely, against its network address: a whole room shares one Wi-Fi address, so that limit
is high. Too many wrong codes lock the device out for a while, whatever it types next. The
failures are stored in SQLite, so neither a restart, a reload nor a new tab resets them.

A successful join hands back a pass token, kept by the phone (in its session state and
its URL, so a refresh keeps it) and stored here only as a hash: votes need it, and it can
do nothing else. One person, one line, one vote: a logged-in person who joins again gets
the same participant row (and a new pass); so does a guest who types the same name again
on the same phone (case, spaces and accents aside): leaving and rejoining, reloading
without the pass, or a second tab all land on the first line, and a vote from any of its
passes replaces the line's vote. A guest's line belongs to the phone that opened it (the
hash of its device key): the same name typed on another phone is refused, so that nobody
votes or signs the attendance sheet on a colleague's line; a real namesake adds an initial,
and someone who changed phones asks the trainer, who can merge the two lines.
A guest is a name, which the trainer can later tie to a person with `match_guest` (and
untie with `detach_guest`: the typed name is kept for that) so that the attendance and the
votes reach that person's record. The trainer can also remove a line or merge two; each
of these acts is written to the audit log.
"""

from __future__ import annotations

import math
import secrets
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta

from proxi.content.scenario import Scenario
from proxi.dates import iso, utc
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
    require_trainer,
)
from proxi.people import accounts, audit, passwords
from proxi.people.accounts import Person
from proxi.progress import store
from proxi.progress.db import Database, inserted_id, write_transaction

# Wrong codes allowed per window before a lockout: per device, then per network address.
JOIN_WINDOW = timedelta(minutes=10)
JOIN_LIMITS = {"device": 5, "network": 40}
MAX_NAME = 60

WRONG_CODE = "Ce code ne correspond à aucune séance en cours. Vérifiez-le au tableau et réessayez."
NAME_TAKEN = (
    "Une personne de ce nom a déjà rejoint la séance avec un autre téléphone. Si c'est vous, "
    "prévenez le formateur. Sinon, ajoutez l'initiale de votre nom (par exemple « Awa D. »)."
)


# --- Joining ---------------------------------------------------------------------------


def join(
    db: Database,
    code: str,
    *,
    person: Person | None = None,
    guest_name: str = "",
    device: str,
    network: str | None = None,
    now: datetime | None = None,
) -> Pass:
    """Join an open session by its code, as a logged-in person or as a named guest.

    `device` identifies the browser or the person for throttling; `network` is the client's
    address when known (a looser limit: a whole room may share one).
    """
    now = utc(now)
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
        "SELECT id FROM live_sessions WHERE join_code = :join_code AND status = 'open'",
        {"join_code": live.normalise_code(code)},
    ).fetchone()
    if row is None:
        _record_failure(db, keys.values(), now)
        raise JoinRefused(WRONG_CODE)
    seat = None if person else passwords.token_hash(device)
    return _enter(db, get_session(db, row[0]), person, guest_name, seat, now)


def _enter(
    db: Database,
    session: LiveSession,
    person: Person | None,
    guest_name: str,
    seat: str | None,
    now: datetime,
) -> Pass:
    """`seat`: a guest's device hash (None for a logged-in person, known by their account)."""
    token = secrets.token_urlsafe(24)
    with write_transaction(db):
        found = _line_of(db, session.id, person, guest_name, seat)
        participant_id = found or _insert_participant(db, session, person, guest_name, seat, now)
        db.execute(
            "INSERT INTO live_passes (token_hash, participant_id)"
            " VALUES (:token_hash, :participant_id)",
            {"token_hash": passwords.token_hash(token), "participant_id": participant_id},
        )
        if person is not None:
            record_attended(db, session, person.id)
    return Pass(session.id, participant_id, token)


def _line_of(
    db, session_id: int, person: Person | None, guest_name: str, seat: str | None
) -> int | None:
    """The participant row this person (or this guest, on this phone) already has, if any.

    A guest's name already taken on another phone is refused (JoinRefused); a line from
    before phones were recorded (no device hash) is found by its name alone, and so is any
    line when the trainer adds the name by hand (`seat` None)."""
    if person is not None:
        row = db.execute(
            "SELECT id FROM live_participants WHERE session_id = :session_id"
            " AND person_id = :person_id",
            {"session_id": session_id, "person_id": person.id},
        ).fetchone()
        return row[0] if row else None
    wanted = _fold(guest_name)
    rows = db.execute(
        "SELECT id, guest_name, device_hash FROM live_participants WHERE session_id = :session_id"
        " AND guest_name IS NOT NULL ORDER BY id",
        {"session_id": session_id},
    )
    same_name = [(row_id, held) for row_id, name, held in rows if _fold(name) == wanted]
    if not same_name:
        return None
    mine = [row_id for row_id, held in same_name if seat is None or held in (seat, None)]
    if not mine:
        raise JoinRefused(NAME_TAKEN)
    return mine[0]


def _fold(name: str) -> str:
    """A name as compared: « Léa  MARTIN » and « lea martin » are one."""
    spaced = " ".join((name or "").split()).casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", spaced) if not unicodedata.combining(c))


def _insert_participant(db, session, person, guest_name, seat, now) -> int:
    cursor = db.execute(
        "INSERT INTO live_participants (session_id, person_id, guest_name, device_hash,"
        " joined_at) VALUES (:session_id, :person_id, :guest_name, :device_hash, :joined_at)"
        " RETURNING id",
        {
            "session_id": session.id,
            "person_id": person.id if person else None,
            "guest_name": None if person else guest_name,
            "device_hash": seat,
            "joined_at": iso(now),
        },
    )
    return inserted_id(cursor)


def _check_throttle(db: Database, keys: dict[str, str], now: datetime) -> None:
    for kind, key in keys.items():
        limit = JOIN_LIMITS[kind]
        rows = db.execute(
            "SELECT failed_at FROM live_join_failures WHERE key = :key AND failed_at > :since"
            " ORDER BY failed_at DESC LIMIT :limit",
            {"key": key, "since": iso(now - JOIN_WINDOW), "limit": limit},
        ).fetchall()
        if len(rows) >= limit:
            free_at = datetime.fromisoformat(rows[-1][0]) + JOIN_WINDOW
            minutes = max(1, math.ceil((free_at - now).total_seconds() / 60))
            raise JoinRefused(
                f"Trop de codes erronés depuis cet appareil. Réessayez dans {minutes} minute(s),"
                " ou demandez au formateur de vous inscrire."
            )


def _record_failure(db: Database, keys: Iterable[str], now: datetime) -> None:
    # Its own transaction: the refusal that follows must not roll it back.
    with write_transaction(db):
        db.execute(
            "DELETE FROM live_join_failures WHERE failed_at < :before",
            {"before": iso(now - timedelta(1))},
        )
        for key in keys:
            db.execute(
                "INSERT INTO live_join_failures (key, failed_at) VALUES (:key, :failed_at)",
                {"key": key, "failed_at": iso(now)},
            )


def participant_for(db: Database, token: str | None) -> Participant | None:
    """The participant holding this pass token, or None."""
    if not token:
        return None
    # One query (a phone asks at each poll): the pass by its primary key, then its line.
    found = _participants(
        db,
        "p.id = (SELECT participant_id FROM live_passes WHERE token_hash = :token_hash)",
        {"token_hash": passwords.token_hash(token)},
    )
    return found[0] if found else None


# --- Participants (the trainer's side) ---------------------------------------------------


def participants(db: Database, session_id: int) -> list[Participant]:
    return _participants(db, "p.session_id = :session_id", {"session_id": session_id})


def _participants(db: Database, where: str, params: dict) -> list[Participant]:
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
    db: Database,
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
    created = _enter(db, session, person, guest_name, None, utc(None))
    line = {"participant_id": created.participant_id}
    return _participants(db, "p.id = :participant_id", line)[0]


def match_guest(
    db: Database,
    actor: Person,
    participant_id: int,
    person: Person,
    scenarios: dict[str, Scenario],
) -> None:
    """Tie a guest to a person: their attendance and past votes go to that person's record."""
    participant = _participants(db, "p.id = :participant_id", {"participant_id": participant_id})
    if not participant or not participant[0].is_guest:
        raise LiveError("Ce participant n'est pas un invité à rattacher.")
    session = require_trainer(db, actor, participant[0].session_id)

    with write_transaction(db):
        if db.execute(
            "SELECT 1 FROM live_participants WHERE session_id = :session_id"
            " AND person_id = :person_id",
            {"session_id": session.id, "person_id": person.id},
        ).fetchone():
            raise LiveError(f"{person.display_name} participe déjà à cette séance.")
        # The typed name stays (hidden behind the person's): `detach_guest` gives it back.
        db.execute(
            "UPDATE live_participants SET person_id = :person_id WHERE id = :participant_id",
            {"person_id": person.id, "participant_id": participant_id},
        )
        _credit(db, session, person.id, scenarios)
        audit.record(db, actor, "guest.attach", person, {"session_id": session.id})


def _credit(db, session: LiveSession, person_id: int, scenarios: dict[str, Scenario]) -> None:
    """The person's record gets the session's attendance and the votes of its line."""
    record_attended(db, session, person_id)
    for decision in live.decisions(db, session.id):
        if decision.status in ("revealed", "closed") and decision.scenario_id in scenarios:
            live_flow.record_votes(db, session, decision, scenarios[decision.scenario_id])


def detach_guest(db: Database, actor: Person, participant_id: int) -> None:
    """Undo `match_guest`: the line is the guest's typed name again.

    The learning record keeps the statements written when it was attached (events are
    append-only); the attendance sheet and the session's lists follow the line at once."""
    participant = get_participant(db, participant_id)
    session = require_trainer(db, actor, participant.session_id)
    typed = db.execute(
        "SELECT guest_name FROM live_participants WHERE id = :participant_id",
        {"participant_id": participant_id},
    ).fetchone()[0]
    if participant.is_guest or not typed:
        raise LiveError("Cette ligne n'a pas été rattachée à un compte : rien à annuler.")
    with write_transaction(db):
        db.execute(
            "UPDATE live_participants SET person_id = NULL WHERE id = :participant_id",
            {"participant_id": participant_id},
        )
        audit.record(db, actor, "guest.detach", participant.person_id, {"session_id": session.id})


def remove_participant(db: Database, actor: Person, participant_id: int) -> None:
    """Take a line off the session (listed by mistake): its votes and phone passes go too."""
    participant = get_participant(db, participant_id)
    session = require_trainer(db, actor, participant.session_id)
    with write_transaction(db):
        line = {"participant_id": participant_id}
        for table in ("live_votes", "live_passes", "live_signatures", "live_presence"):
            db.execute(f"DELETE FROM {table} WHERE participant_id = :participant_id", line)
        db.execute("DELETE FROM live_participants WHERE id = :participant_id", line)
        audit.record(
            db, actor, "participant.remove", participant.person_id, {"session_id": session.id}
        )


def merge_participants(
    db: Database,
    actor: Person,
    keep_id: int,
    drop_id: int,
    scenarios: dict[str, Scenario],
) -> None:
    """Two lines that are one person become one: the kept line keeps its votes and gains the
    other's where it had none, its phone passes, its account if it had one, the earlier
    arrival time."""
    keep, drop = get_participant(db, keep_id), get_participant(db, drop_id)
    if keep.id == drop.id or keep.session_id != drop.session_id:
        raise LiveError("Choisissez deux lignes différentes de la même séance.")
    if keep.person_id and drop.person_id:
        raise LiveError(
            "Ces deux lignes sont deux comptes différents : elles ne peuvent pas être fusionnées."
        )
    session = require_trainer(db, actor, keep.session_id)
    person_id = keep.person_id or drop.person_id
    lines = {"keep_id": keep.id, "drop_id": drop.id}
    with write_transaction(db):
        # A vote (one per decision and line) moves unless the kept line has one there already.
        db.execute(
            "UPDATE live_votes SET participant_id = :keep_id WHERE participant_id = :drop_id"
            " AND NOT EXISTS (SELECT 1 FROM live_votes AS other"
            " WHERE other.participant_id = :keep_id AND other.decision_id = live_votes.decision_id)",
            lines,
        )
        db.execute("DELETE FROM live_votes WHERE participant_id = :drop_id", lines)
        for table in ("live_signatures", "live_presence"):  # the kept line's own come first
            db.execute(
                f"UPDATE {table} SET participant_id = :keep_id WHERE participant_id = :drop_id"
                f" AND NOT EXISTS (SELECT 1 FROM {table} AS other"
                f" WHERE other.participant_id = :keep_id AND other.half_day = {table}.half_day)",
                lines,
            )
            db.execute(f"DELETE FROM {table} WHERE participant_id = :drop_id", lines)
        db.execute(
            "UPDATE live_passes SET participant_id = :keep_id WHERE participant_id = :drop_id",
            lines,
        )
        (drop_seat,) = db.execute(
            "SELECT device_hash FROM live_participants WHERE id = :drop_id", lines
        ).fetchone()
        db.execute("DELETE FROM live_participants WHERE id = :drop_id", lines)
        db.execute(  # the dropped line's phone, if the kept one had none, now finds this line
            "UPDATE live_participants SET person_id = :person_id, joined_at = :joined_at,"
            " role_key = COALESCE(role_key, :dropped_role_key),"
            " device_hash = COALESCE(device_hash, :dropped_device_hash) WHERE id = :keep_id",
            {
                "person_id": person_id,
                "joined_at": min(keep.joined_at, drop.joined_at),
                "dropped_role_key": drop.role_key,
                "dropped_device_hash": drop_seat,
                "keep_id": keep.id,
            },
        )
        if person_id and not keep.person_id:
            _credit(db, session, person_id, scenarios)
        audit.record(db, actor, "participant.merge", person_id, {"session_id": session.id})


def get_participant(db: Database, participant_id: int) -> Participant:
    """The line, or a French refusal if it was removed or merged meanwhile."""
    found = _participants(db, "p.id = :participant_id", {"participant_id": participant_id})
    if not found:
        raise LiveError("Ce participant n'existe pas (ou plus) : la liste a été mise à jour.")
    return found[0]


def match_candidates(db: Database, session: LiveSession) -> list[Person]:
    """Whom a guest may be tied to: active learners of the organisations present (else all);
    never a manager or a coordinator, who follow training rather than attend it."""
    people = [
        p
        for organisation_id in session.organisation_ids or [None]
        for p in accounts.list_people(db, organisation_id)
    ]
    present = {p.person_id for p in participants(db, session.id)}
    unique = {
        p.id: p
        for p in people
        if p.active and p.id not in present and not p.has_role("manager", "coordinator")
    }
    return sorted(unique.values(), key=lambda p: p.display_name)


def assign_role(db: Database, actor: Person, participant_id: int, role_key: str | None) -> None:
    """Give a participant a character to play (None takes the role back)."""
    require_trainer(db, actor, get_participant(db, participant_id).session_id)
    with write_transaction(db):
        db.execute(
            "UPDATE live_participants SET role_key = :role_key WHERE id = :participant_id",
            {"role_key": role_key, "participant_id": participant_id},
        )


def players(db: Database, session_id: int) -> dict[str, list[str]]:
    """Character key -> names of the participants who play it."""
    cast: dict[str, list[str]] = {}
    for participant in participants(db, session_id):
        if participant.role_key:
            cast.setdefault(participant.role_key, []).append(participant.name)
    return cast


def record_attended(db: Database, session: LiveSession, person_id: int) -> None:
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
