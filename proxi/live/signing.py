"""Émargement per half-day: each participant signs on their phone, the trainer countersigns.

A session has one sheet per half-day it covers (`LiveSession.half_days`: a « journée » has
the morning's and the afternoon's). The trainer opens a sheet for signing; each phone that
joined then shows « Je certifie avoir été présent·e le … matin » and a tap signs it,
recording who (the participant line), when (UTC) and from which device (the browser's user
agent), and the signature drawn with a finger on the pad under that sentence
(proxi.live.drawing keeps it as bounded strokes; the page requires one). Signing twice keeps
the first signature, drawing included. The trainer notes late arrivals and early
departures, then countersigns: the sheet is closed. After that no phone can sign it and a
correction of the times needs a reason, written to the audit log with the old and new
values (so does the countersignature itself). The PDF sheet is proxi.documents.emargement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from proxi.dates import iso, paris
from proxi.live import room as live_room
from proxi.live.drawing import Drawing
from proxi.live.sessions import (
    HALF_DAYS,
    NO_PASS,
    LiveError,
    LiveSession,
    Participant,
    get_session,
    require_trainer,
)
from proxi.people import audit
from proxi.people.accounts import Person
from proxi.progress.db import Database, write_transaction

MAX_DEVICE = 300  # a user agent is about 150 characters; more is not a browser's
MAX_REASON = 200
# French elides before a vowel: « la feuille du matin », « la feuille de l'après-midi ».
OF_HALF_DAY = {"matin": "du matin", "apres-midi": "de l'après-midi"}
THE_HALF_DAY = {"matin": "le matin", "apres-midi": "l'après-midi"}


@dataclass(frozen=True)
class SheetLine:
    """One participant on one half-day's sheet."""

    participant: Participant
    signed_at: str | None  # UTC ISO; None: not signed on a phone
    device: str
    drawing: Drawing | None  # None: signed before the pad existed, or not signed
    arrived_late: str  # HH:MM Paris time, or ""
    left_early: str


@dataclass(frozen=True)
class Sheet:
    session: LiveSession
    half_day: str
    opened_at: str | None  # None: not yet opened for signing
    countersigned_at: str | None
    countersigned_by: str  # the trainer's name, "" while open
    lines: list[SheetLine]

    @property
    def closed(self) -> bool:
        return self.countersigned_at is not None

    @property
    def signable(self) -> bool:
        return self.opened_at is not None and not self.closed

    @property
    def signed(self) -> int:
        return sum(1 for line in self.lines if line.signed_at)

    @property
    def label(self) -> str:
        return sheet_label(self.half_day)


def sheet_label(half_day: str) -> str:
    """« matin » or « après-midi », as a sentence reads it."""
    return HALF_DAYS[half_day].lower()


def local_moment(stamp: str, session: LiveSession) -> str:
    """« à 09:32 » on the session's day, « le 13/03/2026 à 09:32 » on another (Paris time)."""
    local = paris(stamp)
    at = f"à {local:%H:%M}"
    return at if local.date().isoformat() == session.day else f"le {local:%d/%m/%Y} {at}"


def signed_phrase(line: SheetLine, session: LiveSession) -> str:
    """« signé à 09:32 » (or on another day), "" when the line did not sign on a phone."""
    return f"signé {local_moment(line.signed_at, session)}" if line.signed_at else ""


def certification(session: LiveSession, half_day: str) -> str:
    """What a participant certifies by signing (and what the sheet says they certified)."""
    day = f"{session.day[8:10]}/{session.day[5:7]}/{session.day[:4]}"
    return f"Je certifie avoir été présent·e le {day} {sheet_label(half_day)}."


# --- The trainer's side -----------------------------------------------------------------------


def open_sheet(
    db: Database,
    actor: Person,
    session_id: int,
    half_day: str,
    now: datetime | None = None,
) -> None:
    """Let the phones sign this half-day's sheet (opening it again changes nothing)."""
    session = require_trainer(db, actor, session_id)
    _check_half_day(session, half_day)
    if session.status == "draft":
        raise LiveError("Ouvrez d'abord la séance : les téléphones la rejoignent avec son code.")
    with write_transaction(db):
        db.execute(
            "INSERT INTO live_sheets (session_id, half_day, opened_at)"
            " VALUES (:session_id, :half_day, :opened_at) ON CONFLICT DO NOTHING",
            {"session_id": session.id, "half_day": half_day, "opened_at": iso(now)},
        )


def countersign(
    db: Database,
    actor: Person,
    session_id: int,
    half_day: str,
    now: datetime | None = None,
) -> None:
    """Close the half-day's sheet: from now on nothing changes without an audit entry."""
    session = require_trainer(db, actor, session_id)
    _check_half_day(session, half_day)
    with write_transaction(db):
        found = _sheet_row(db, session.id, half_day)
        if found is None:
            raise LiveError(f"La feuille {OF_HALF_DAY[half_day]} n'a pas été ouverte.")
        if found[1] is not None:
            raise LiveError(f"La feuille {OF_HALF_DAY[half_day]} est déjà contresignée.")
        db.execute(
            "UPDATE live_sheets SET countersigned_at = :countersigned_at,"
            " countersigned_by = :countersigned_by"
            " WHERE session_id = :session_id AND half_day = :half_day",
            {
                "countersigned_at": iso(now),
                "countersigned_by": actor.id,
                "session_id": session.id,
                "half_day": half_day,
            },
        )
        audit.record(
            db, actor, "attendance.countersign", f"session {session.id}", {"half_day": half_day}
        )


def set_times(
    db: Database,
    actor: Person,
    participant_id: int,
    half_day: str,
    *,
    arrived_late: str = "",
    left_early: str = "",
    reason: str = "",
) -> None:
    """Note a late arrival and/or an early departure (HH:MM or 9h40, Paris time; "" for none).

    On a countersigned sheet this is a correction: it needs a reason, kept in the audit log."""
    line = live_room.get_participant(db, participant_id)
    session = require_trainer(db, actor, line.session_id)
    _check_half_day(session, half_day)
    times = (hhmm(arrived_late), hhmm(left_early))
    reason = " ".join(reason.split())[:MAX_REASON]
    with write_transaction(db):
        found = _sheet_row(db, session.id, half_day)
        closed = found is not None and found[1] is not None
        if closed and not reason:
            raise LiveError(
                "Cette feuille est contresignée : indiquez le motif de la correction, "
                "il sera gardé au journal."
            )
        before = db.execute(
            "SELECT arrived_late, left_early FROM live_presence"
            " WHERE participant_id = :participant_id AND half_day = :half_day",
            {"participant_id": participant_id, "half_day": half_day},
        ).fetchone() or ("", "")
        db.execute(
            "INSERT INTO live_presence (participant_id, half_day, arrived_late, left_early)"
            " VALUES (:participant_id, :half_day, :arrived_late, :left_early)"
            " ON CONFLICT (participant_id, half_day) DO UPDATE SET"
            " arrived_late = excluded.arrived_late, left_early = excluded.left_early",
            {
                "participant_id": participant_id,
                "half_day": half_day,
                "arrived_late": times[0],
                "left_early": times[1],
            },
        )
        if closed and tuple(before) != times:
            audit.record(
                db,
                actor,
                "attendance.correct",
                line.person_id or f"session {session.id}",
                {
                    "session_id": session.id,
                    "half_day": half_day,
                    "participant_id": participant_id,
                    "before": list(before),
                    "after": list(times),
                    "reason": reason,
                },
            )


# --- The phone's side -------------------------------------------------------------------------


def to_sign(db: Database, participant: Participant) -> list[str]:
    """The half-days this participant may sign now: open, not countersigned, not yet signed."""
    rows = db.execute(
        "SELECT s.half_day FROM live_sheets s WHERE s.session_id = :session_id"
        " AND s.countersigned_at IS NULL AND NOT EXISTS (SELECT 1 FROM live_signatures g"
        " WHERE g.participant_id = :participant_id AND g.half_day = s.half_day)",
        {"session_id": participant.session_id, "participant_id": participant.id},
    )
    found = {row[0] for row in rows}
    return [half_day for half_day in HALF_DAYS if half_day in found]


def signed(
    db: Database, participant: Participant, session: LiveSession | None = None
) -> dict[str, str]:
    """Half-day -> « à 09:32 »: what this participant has signed, in the day's order.
    `session`: the participant's, when the caller has read it already (a phone's poll)."""
    session = session or get_session(db, participant.session_id)
    rows = dict(
        db.execute(
            "SELECT half_day, signed_at FROM live_signatures WHERE participant_id = :participant_id",
            {"participant_id": participant.id},
        ).fetchall()
    )
    return {h: local_moment(rows[h], session) for h in HALF_DAYS if h in rows}


def sign(
    db: Database,
    token: str,
    half_day: str,
    device: str = "",
    now: datetime | None = None,
    drawing: Drawing | None = None,
) -> None:
    """The phone's participant certifies their presence for this half-day, with the
    signature they drew (validated by proxi.live.drawing.from_pad)."""
    participant = live_room.participant_for(db, token)
    if participant is None:
        raise LiveError(NO_PASS)
    session = get_session(db, participant.session_id)
    _check_half_day(session, half_day)
    with write_transaction(db):
        found = _sheet_row(db, session.id, half_day)
        if found is None or found[1] is not None:
            raise LiveError(
                f"La feuille {OF_HALF_DAY[half_day]} n'est pas ouverte à la signature "
                "(pas encore ouverte, ou déjà contresignée) : voyez avec le formateur."
            )
        db.execute(
            "INSERT INTO live_signatures (participant_id, half_day, signed_at, device, drawing)"
            " VALUES (:participant_id, :half_day, :signed_at, :device, :drawing)"
            " ON CONFLICT DO NOTHING",
            {
                "participant_id": participant.id,
                "half_day": half_day,
                "signed_at": iso(now),
                "device": " ".join(device.split())[:MAX_DEVICE],
                "drawing": drawing.to_json() if drawing else None,
            },
        )


# --- Reading ----------------------------------------------------------------------------------


def sheet(db: Database, session: LiveSession, half_day: str) -> Sheet:
    """The half-day's sheet: every participant of the session, signed or not."""
    _check_half_day(session, half_day)
    signed = _by_participant(
        db.execute(
            "SELECT g.participant_id, g.signed_at, g.device, g.drawing FROM live_signatures g"
            " JOIN live_participants p ON p.id = g.participant_id"
            " WHERE p.session_id = :session_id AND g.half_day = :half_day",
            {"session_id": session.id, "half_day": half_day},
        )
    )
    presence = _by_participant(
        db.execute(
            "SELECT g.participant_id, g.arrived_late, g.left_early FROM live_presence g"
            " JOIN live_participants p ON p.id = g.participant_id"
            " WHERE p.session_id = :session_id AND g.half_day = :half_day",
            {"session_id": session.id, "half_day": half_day},
        )
    )
    lines = [
        SheetLine(p, *_signature(signed.get(p.id)), *presence.get(p.id, ("", "")))
        for p in live_room.participants(db, session.id)
    ]
    row = db.execute(
        "SELECT s.opened_at, s.countersigned_at, COALESCE(t.display_name, '') FROM live_sheets s"
        " LEFT JOIN people t ON t.id = s.countersigned_by"
        " WHERE s.session_id = :session_id AND s.half_day = :half_day",
        {"session_id": session.id, "half_day": half_day},
    ).fetchone() or (None, None, "")
    return Sheet(session, half_day, row[0], row[1], row[2], lines)


def _by_participant(rows) -> dict[int, tuple]:
    """participant id -> the rest of its row."""
    return {row[0]: tuple(row[1:]) for row in rows}


def _signature(row: tuple | None) -> tuple:
    """(signed_at, device, drawing) of a signature row, or of no signature."""
    if row is None:
        return None, "", None
    return row[0], row[1], Drawing.from_json(row[2])


def _sheet_row(db, session_id: int, half_day: str) -> tuple | None:
    return db.execute(
        "SELECT opened_at, countersigned_at FROM live_sheets"
        " WHERE session_id = :session_id AND half_day = :half_day",
        {"session_id": session_id, "half_day": half_day},
    ).fetchone()


def _check_half_day(session: LiveSession, half_day: str) -> None:
    if half_day not in session.half_days:
        covered = " et ".join(sheet_label(h) for h in session.half_days)
        raise LiveError(f"Cette séance n'a de feuille d'émargement que pour : {covered}.")


def hhmm(text: str) -> str:
    """« 9h40 », « 09:40 », « 9 » -> « 09:40 »; "" stays ""; anything else is refused."""
    cleaned = "".join(text.split()).lower().replace("h", ":")
    if not cleaned:
        return ""
    hours, _, minutes = cleaned.partition(":")
    if hours.isdigit() and (minutes or "0").isdigit() and len(minutes) <= 2:
        h, m = int(hours), int(minutes or 0)
        if h < 24 and m < 60:
            return f"{h:02d}:{m:02d}"
    raise LiveError(f"Heure illisible : « {text.strip()} ». Écrivez-la ainsi : 9h40 ou 9:40.")
