"""The feuille d'émargement of a group session: who was there, as far as the viewer may see.

One builder, `sheet`, for every place the sheet appears: the trainer's console, the
manager's dashboard, its CSV (`proxi.documents.spreadsheet.attendance_csv`) and its
printed Markdown (`proxi.live.report.attendance_markdown`). The trainer's line comes first
(from the moment the session opened), then each participant line by arrival. The viewer's
scope (`proxi.progress.reports.visible_participants`) decides the lines: the session's
trainer and coordinators see everyone, guests included; a manager sees only their own
people. Names are stored as typed; each renderer makes them inert for its medium.
"""

from __future__ import annotations

from dataclasses import dataclass

from proxi.dates import local_time
from proxi.live import room as live_room
from proxi.live.sessions import LiveSession
from proxi.people import accounts
from proxi.progress import reports
from proxi.progress.db import Database

TRAINER, PARTICIPANT, GUEST = "Formateur·rice", "Participant·e", "Invité·e"


@dataclass(frozen=True)
class SheetLine:
    name: str
    organisation: str
    status: str  # TRAINER | PARTICIPANT | GUEST
    arrived_at: str  # HH:MM, Paris time


@dataclass(frozen=True)
class Sheet:
    session: LiveSession
    lines: list[SheetLine]


def sheet(db: Database, session: LiveSession, viewer: reports.Viewer) -> Sheet:
    """The session's sheet as `viewer` may see it: the trainer first, then by arrival."""
    lines = []
    trainer = accounts.get_person(db, session.trainer_id)
    if trainer and session.opened_at:
        organisation = _organisation_name(db, trainer.organisation_id)
        lines.append(
            SheetLine(trainer.display_name, organisation, TRAINER, local_time(session.opened_at))
        )
    visible = reports.visible_participants(db, viewer, session.id)
    for person in live_room.participants(db, session.id):
        if person.id in visible:
            status = GUEST if person.is_guest else PARTICIPANT
            lines.append(
                SheetLine(person.name, person.organisation, status, local_time(person.joined_at))
            )
    return Sheet(session, lines)


def _organisation_name(db: Database, organisation_id: int | None) -> str:
    names = {o.id: o.name for o in accounts.list_organisations(db)}
    return names.get(organisation_id, "") if organisation_id else ""
