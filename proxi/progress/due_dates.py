"""Due dates: by when a person, a team or a whole organisation should finish a module.

A manager sets a due date for one of their people, for a team (a node of their
organisation's hierarchy: people.site, see proxi.hierarchy) or for the organisation; a
coordinator for anyone (proxi.people.follow_up writes them; proxi.people.permissions says
who may). A team's date holds for everyone at or under its node. For a person the most
precise date wins: their own, else their deepest team's (a secteur's before its agence's),
else their organisation's (`effective`). The learner sees theirs (`for_person`, overdue
first); the dashboard lists those it set and who is late (`overdue`); the reminders
(proxi.ops.reminders) read `effective` for everyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from proxi import hierarchy
from proxi.dates import french_date
from proxi.progress.db import Database
from proxi.progress.dialect import in_list, list_value

if TYPE_CHECKING:  # reports reads this module; a Viewer is only a type here
    from proxi.progress.reports import Viewer

SCOPES = {
    "organisation": "Toute l'organisation",
    "site": "Une agence ou un secteur",
    "person": "Une personne",
}


@dataclass(frozen=True)
class DueDate:
    """One date as it was set, for an organisation, one of its teams or one person."""

    module_id: str
    due_on: str  # ISO date
    organisation_id: int
    organisation: str
    site: str  # the team, "" unless the date is a team's
    person_id: int | None
    person_name: str

    @property
    def scope(self) -> str:
        return "person" if self.person_id else "site" if self.site else "organisation"

    @property
    def target(self) -> str:
        """Whom it concerns, as the dashboard says it."""
        if self.person_id:
            return self.person_name
        return f"{self.organisation} — {self.site}" if self.site else self.organisation

    @property
    def precision(self) -> int:
        """Higher wins: a person's date, then the deepest team's, then the organisation's."""
        return hierarchy.MAX_DEPTH + 1 if self.person_id else hierarchy.depth(self.site)

    def concerns(self, organisation_id: int | None, site: str, person_id: int) -> bool:
        if self.person_id:
            return self.person_id == person_id
        if self.organisation_id != organisation_id:
            return False
        return hierarchy.within(site, self.site)


@dataclass(frozen=True)
class Due:
    """A module one person has to finish by a date, and whether they have."""

    person_id: int
    module_id: str
    due_on: str
    completed: bool

    def days_left(self, today: date) -> int:
        """Days until the date: 0 on the day, negative once past."""
        return (date.fromisoformat(self.due_on) - today).days

    def late(self, today: date) -> bool:
        return not self.completed and self.days_left(today) < 0

    def phrase(self, today: date) -> str:
        """« En retard depuis le 10/03/2026 », « À terminer avant le 10/03/2026 (dans 3 jours) »."""
        day = french_date(self.due_on)
        left = self.days_left(today)
        if self.completed:
            return f"Terminé (échéance du {day})"
        if left < 0:
            return f"En retard : à terminer pour le {day}"
        if left == 0:
            return f"À terminer aujourd'hui ({day})"
        return f"À terminer pour le {day} (dans {left} jour{'s' if left > 1 else ''})"


# --- Reading ------------------------------------------------------------------------------------


def visible(db: Database, viewer: Viewer) -> list[DueDate]:
    """The dates the viewer may manage: all for a coordinator; for a manager, those set in
    their part of their organisation (a person's, when that person is in it); none otherwise."""
    if "coordinator" in viewer.roles:
        return all_due_dates(db)
    if "manager" not in viewer.roles or not viewer.organisation_id:
        return []
    sites = dict(
        db.execute(
            "SELECT id, site FROM people WHERE organisation_id = :organisation_id",
            {"organisation_id": viewer.organisation_id},
        )
    )
    return [
        due
        for due in all_due_dates(db, [viewer.organisation_id])
        if hierarchy.within(
            sites.get(due.person_id, "") if due.person_id else due.site, viewer.site
        )
    ]


def all_due_dates(db: Database, organisation_ids: Iterable[int] | None = None) -> list[DueDate]:
    """Every date set (or those of these organisations), by organisation, module, precision."""
    rows = db.execute(
        "SELECT d.module_id, d.due_on, d.organisation_id, COALESCE(o.name, ''), d.site,"
        " d.person_id, COALESCE(p.display_name, '') FROM due_dates d"
        " LEFT JOIN organisations o ON o.id = d.organisation_id"
        " LEFT JOIN people p ON p.id = d.person_id"
        " ORDER BY o.name, d.module_id, d.person_id IS NOT NULL, d.site, p.display_name"
    ).fetchall()
    found = [DueDate(*row) for row in rows]
    if organisation_ids is None:
        return found
    wanted = set(organisation_ids)
    return [d for d in found if d.organisation_id in wanted]


def effective(
    dates: list[DueDate], organisation_id: int | None, site: str, person_id: int
) -> dict[str, DueDate]:
    """Module -> the date that holds for this person: their own, else their deepest team's,
    else their organisation's."""
    chosen: dict[str, DueDate] = {}
    for due in dates:
        if not due.concerns(organisation_id, site, person_id):
            continue
        held = chosen.get(due.module_id)
        if held is None or due.precision > held.precision:
            chosen[due.module_id] = due
    return chosen


def for_person(db: Database, person_id: int, today: date | None = None) -> list[Due]:
    """The learner's due dates: late first, then by date; finished modules last."""
    row = db.execute(
        "SELECT organisation_id, site FROM people WHERE id = :person_id", {"person_id": person_id}
    ).fetchone()
    if row is None:
        return []
    completed = completed_modules(db, [person_id]).get(person_id, set())
    dues = [
        Due(person_id, module_id, due.due_on, module_id in completed)
        for module_id, due in effective(all_due_dates(db), row[0], row[1], person_id).items()
    ]
    return sorted(dues, key=lambda d: (d.completed, d.due_on, d.module_id))


def completed_modules(db: Database, person_ids: list[int]) -> dict[int, set[str]]:
    """Person -> the modules they finished, in Proxi or by a training done elsewhere."""
    found: dict[int, set[str]] = {}
    people_sql = in_list(db, "person_id", "person_ids")
    rows = db.execute(
        "SELECT person_id, module_id FROM module_progress WHERE status = 'completed'"
        f" AND {people_sql}"
        " UNION SELECT person_id, module_id FROM external_trainings"
        f" WHERE module_id IS NOT NULL AND {people_sql}",
        {"person_ids": list_value(db, person_ids)},
    )
    for person_id, module_id in rows:
        found.setdefault(person_id, set()).add(module_id)
    return found
