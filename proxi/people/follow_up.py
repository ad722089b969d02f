"""What a manager records about the people they follow: due dates (proxi.progress.due_dates
reads them).

Each writer asks proxi.people.permissions first and records its act in the audit log in
the same transaction, like every administrative writer.
"""

from __future__ import annotations

from datetime import date

import sqlite_utils

from proxi.dates import iso
from proxi.errors import ProxiError
from proxi.people import audit
from proxi.people.permissions import Actor, Subject, require
from proxi.progress.db import write_transaction


class BadDueDate(ProxiError):
    """A due date that cannot be set as asked (the message says why)."""


def set_due_date(
    db: sqlite_utils.Database,
    actor: Actor,
    module_id: str,
    due_on: date | None,
    *,
    organisation_id: int | None = None,
    site: str = "",
    person_id: int | None = None,
) -> None:
    """Set (or with None, remove) the date for a person, else a team (organisation and
    site), else an organisation."""
    site = " ".join(site.split())
    if person_id is not None:
        row = db.execute("SELECT organisation_id FROM people WHERE id = ?", [person_id]).fetchone()
        if row is None or row[0] is None:
            raise BadDueDate("Cette personne n'est rattachée à aucune organisation.")
        organisation_id, site = row[0], ""
    if organisation_id is None:
        raise BadDueDate("Choisissez une organisation, une équipe ou une personne.")
    require(actor, "due_date.set", Subject(organisation_id))
    if person_id:
        target = f"person:{person_id}"
    else:
        target = f"site:{organisation_id}:{site}" if site else f"organisation:{organisation_id}"
    with write_transaction(db):
        db.execute("DELETE FROM due_dates WHERE module_id = ? AND target = ?", [module_id, target])
        if due_on is not None:
            db.execute(
                "INSERT INTO due_dates (module_id, target, organisation_id, site, person_id,"
                " due_on, set_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [module_id, target, organisation_id, site, person_id, due_on.isoformat(),
                 actor.id, iso()],
            )  # fmt: skip
        details = {"module_id": module_id, "due_on": due_on.isoformat() if due_on else None}
        action = "due_date.set" if due_on else "due_date.remove"
        audit.record(db, actor, action, person_id if person_id else target, details)
