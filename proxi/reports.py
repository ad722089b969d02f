"""Managers' reports: every query here is scoped to the people the viewer may see.

Scope, resolved once per viewer by `scope_for` and applied as a SQL condition on the
`people p` alias of EVERY query (no query reads progress without joining people):

    coordinator   everyone
    manager       the people of their own organisation
    trainer       the people who took part in a group session they ran
    anybody       themself

Roles add up: a manager who also trains sees both sets. Lists are passed to SQLite as one
JSON parameter (`json_each`), so the SQL text never depends on the data.

The dashboard needs three reads (people, module progress, scenario progress) and derives
the matrix, the headline figures, completion by organisation and the inactive list from
them in memory; path analytics and endings are GROUP BY queries over covering indexes
(m020_reports), never a loop over events.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import sqlite_utils

from proxi import store
from proxi.db import write_transaction
from proxi.errors import NotAllowed

STATUSES = {
    "not_started": "Non commencé",
    "in_progress": "En cours",
    "quiz_failed": "Quiz échoué",
    "passed": "Réussi",
    "completed": "Terminé",
}
OUTCOMES = {"favourable": "Favorable", "mitigee": "Mitigée", "defavorable": "Défavorable"}
MODES = {"solo": "En autonomie", "group": "En séance de groupe"}
OUT_OF_SCOPE = "Cette personne ne fait pas partie des personnes que vous suivez."


@dataclass(frozen=True)
class Viewer:
    """Who asks: the scope of every report follows from these three fields."""

    person_id: int
    roles: tuple[str, ...]
    organisation_id: int | None = None

    @classmethod
    def of(cls, person) -> Viewer:
        return cls(person.id, tuple(person.roles), person.organisation_id)

    @classmethod
    def system(cls) -> Viewer:
        """The command line, run by whoever administers the server: sees everyone."""
        return cls(0, ("coordinator",))


@dataclass(frozen=True)
class Scope:
    everyone: bool
    organisation_ids: tuple[int, ...] = ()
    person_ids: tuple[int, ...] = ()

    def sql(self) -> tuple[str, list]:
        """The condition on `people p` and its parameters."""
        if self.everyone:
            return "p.erased_at IS NULL", []
        return (
            "p.erased_at IS NULL AND (p.organisation_id IN (SELECT value FROM json_each(?))"
            " OR p.id IN (SELECT value FROM json_each(?)))",
            [json.dumps(self.organisation_ids), json.dumps(self.person_ids)],
        )


def scope_for(db: sqlite_utils.Database, viewer: Viewer) -> Scope:
    """What the viewer may see, from their roles (see the module docstring)."""
    if "coordinator" in viewer.roles:
        return Scope(everyone=True)
    orgs = (viewer.organisation_id,) if "manager" in viewer.roles else ()
    people = {viewer.person_id}
    if "trainer" in viewer.roles:
        people |= trainee_ids(db, viewer.person_id)
    return Scope(False, tuple(o for o in orgs if o is not None), tuple(sorted(people)))


def trainee_ids(db: sqlite_utils.Database, trainer_id: int) -> set[int]:
    """The people who took part in a group session this trainer ran."""
    rows = db.execute(
        "SELECT DISTINCT lp.person_id FROM live_participants lp"
        " JOIN live_sessions ls ON ls.id = lp.session_id"
        " WHERE ls.trainer_id = ? AND lp.person_id IS NOT NULL",
        [trainer_id],
    )
    return {row[0] for row in rows}


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters; status is per item, so it is applied to the matrix rows."""

    organisation_id: int | None = None
    site: str | None = None
    job_category: str | None = None
    search: str = ""
    include_inactive: bool = False

    def sql(self) -> tuple[str, list]:
        clauses = ["(',' || p.roles || ',') LIKE '%,learner,%'"]
        params: list = []
        for column, value in (
            ("p.organisation_id", self.organisation_id),
            ("p.site", self.site),
            ("p.job_category", self.job_category),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.search.strip():
            clauses.append("(p.display_name LIKE ? OR p.identifier LIKE ?)")
            params += [f"%{self.search.strip()}%"] * 2
        if not self.include_inactive:
            clauses.append("p.active = 1")
        return " AND ".join(clauses), params


def _where(db: sqlite_utils.Database, viewer: Viewer, filters: Filters | None) -> tuple[str, list]:
    scope_sql, scope_params = scope_for(db, viewer).sql()
    filter_sql, filter_params = (filters or Filters()).sql()
    return f"{scope_sql} AND {filter_sql}", [*scope_params, *filter_params]


# --- People and the matrix -----------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    id: int
    display_name: str
    identifier: str
    organisation_id: int | None
    organisation: str
    site: str
    job_category: str
    active: bool


class Cell(NamedTuple):
    """One person's state on one module or scenario (a tuple: there are tens of thousands)."""

    status: str
    date: str | None = None  # ISO, of the latest meaningful step
    score: float | None = None  # best quiz score, percent (modules)
    outcome: str | None = None  # best ending reached (scenarios)


NOT_STARTED = Cell("not_started")


@dataclass
class MatrixRow:
    person: PersonRow
    cells: dict[str, Cell] = field(default_factory=dict)
    last_activity: str | None = None

    def cell(self, item_id: str) -> Cell:
        return self.cells.get(item_id, NOT_STARTED)


_PEOPLE_SQL = (
    "SELECT p.id, p.display_name, p.identifier, p.organisation_id, COALESCE(o.name, ''),"
    " p.site, p.job_category, p.active FROM people p"
    " LEFT JOIN organisations o ON o.id = p.organisation_id WHERE {where}"
)


def people(
    db: sqlite_utils.Database, viewer: Viewer, filters: Filters | None = None
) -> list[PersonRow]:
    """The learners the viewer may see, by name."""
    where, params = _where(db, viewer, filters)
    sql = _PEOPLE_SQL.format(where=where) + " ORDER BY p.display_name, p.id"
    return [PersonRow(*row[:7], bool(row[7])) for row in db.execute(sql, params)]


def matrix(
    db: sqlite_utils.Database, viewer: Viewer, filters: Filters | None = None
) -> list[MatrixRow]:
    """One row per visible learner, with a cell per module and scenario touched."""
    where, params = _where(db, viewer, filters)
    rows = {person.id: MatrixRow(person) for person in people(db, viewer, filters)}
    module_sql = (
        "SELECT mp.person_id, mp.module_id, mp.status, mp.quiz_best, mp.quiz_passed_at,"
        " mp.completed_at, mp.updated_at FROM module_progress mp"
        f" JOIN people p ON p.id = mp.person_id WHERE {where}"
    )
    for pid, item, status, best, passed_at, done_at, updated in db.execute(module_sql, params):
        if status == "in_progress" and passed_at:
            status = "passed"  # quiz passed, lessons still to finish
        _put(rows[pid], item, Cell(status, done_at or passed_at or updated, best), updated)
    scenario_sql = (
        "SELECT sp.person_id, sp.scenario_id, sp.best_outcome, sp.last_ending_at, sp.updated_at"
        f" FROM scenario_progress sp JOIN people p ON p.id = sp.person_id WHERE {where}"
    )
    for pid, item, outcome, ended_at, updated in db.execute(scenario_sql, params):
        status = "in_progress" if outcome is None else "completed"
        status = "passed" if outcome == "favourable" else status
        _put(rows[pid], item, Cell(status, ended_at or updated, outcome=outcome), updated)
    return list(rows.values())


def _put(row: MatrixRow, item_id: str, cell: Cell, updated: str) -> None:
    row.cells[item_id] = cell
    if row.last_activity is None or updated > row.last_activity:
        row.last_activity = updated


def with_status(rows: list[MatrixRow], status: str, item_id: str | None = None) -> list[MatrixRow]:
    """Rows whose item (or any of `items`, when None) has this status."""
    if item_id is not None:
        return [row for row in rows if row.cell(item_id).status == status]
    return [row for row in rows if any(c.status == status for c in row.cells.values())]


# --- Figures derived from the matrix ---------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    people: int
    started: int
    completed: dict[str, int]  # module_id -> people who completed it
    quizzes_passed: int
    group_sessions: int


def headline(
    db: sqlite_utils.Database, viewer: Viewer, rows: list[MatrixRow], module_ids: list[str]
) -> Headline:
    completed = {m: sum(r.cell(m).status == "completed" for r in rows) for m in module_ids}
    passed = sum(
        1 for row in rows for item in module_ids if row.cell(item).status in ("passed", "completed")
    )
    return Headline(
        len(rows), sum(1 for r in rows if r.cells), completed, passed, sessions_held(db, viewer)
    )


def completion_by_organisation(
    rows: list[MatrixRow], module_ids: list[str]
) -> list[dict[str, object]]:
    """organisation, module_id, completed, people, percent — for a grouped bar chart."""
    people_by_org = Counter(row.person.organisation for row in rows)
    done = Counter(
        (row.person.organisation, item)
        for row in rows
        for item in module_ids
        if row.cell(item).status == "completed"
    )
    return [
        {
            "organisation": org or "Sans organisation",
            "module_id": item,
            "completed": done[(org, item)],
            "people": count,
            "percent": round(100 * done[(org, item)] / count, 1),
        }
        for org, count in sorted(people_by_org.items())
        for item in module_ids
    ]


def inactive(rows: list[MatrixRow], days: int, now: datetime | None = None) -> list[MatrixRow]:
    """Rows with no activity for `days` days (never-active people included), oldest first."""
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=days)).astimezone(UTC).isoformat()
    stale = [row for row in rows if row.last_activity is None or row.last_activity < cutoff]
    return sorted(stale, key=lambda row: row.last_activity or "")


def sessions_held(db: sqlite_utils.Database, viewer: Viewer) -> int:
    """Group sessions opened so far that the viewer ran or that one of their people attended."""
    scope_sql, params = scope_for(db, viewer).sql()
    return db.execute(
        "SELECT COUNT(*) FROM live_sessions ls WHERE ls.opened_at IS NOT NULL AND"
        " (ls.trainer_id = ? OR EXISTS (SELECT 1 FROM live_participants lp"
        f" JOIN people p ON p.id = lp.person_id WHERE lp.session_id = ls.id AND {scope_sql}))",
        [viewer.person_id, *params],
    ).fetchone()[0]


# --- Due dates and overdue -------------------------------------------------------------------


@dataclass(frozen=True)
class DueDate:
    organisation_id: int
    organisation: str
    module_id: str
    due_on: str  # ISO date


def may_manage(viewer: Viewer, organisation_id: int) -> bool:
    """Coordinators set due dates for anyone, managers for their own organisation."""
    if "coordinator" in viewer.roles:
        return True
    return "manager" in viewer.roles and viewer.organisation_id == organisation_id


def set_due_date(
    db: sqlite_utils.Database,
    viewer: Viewer,
    organisation_id: int,
    module_id: str,
    due_on: date | None,
) -> None:
    """Set (or with None, remove) the date by which an organisation's people finish a module."""
    if not may_manage(viewer, organisation_id):
        raise NotAllowed("Vous ne pouvez fixer d'échéance que pour votre organisation.")
    with write_transaction(db):
        db.execute(
            "DELETE FROM module_due_dates WHERE organisation_id = ? AND module_id = ?",
            [organisation_id, module_id],
        )
        if due_on is not None:
            db.execute(
                "INSERT INTO module_due_dates (organisation_id, module_id, due_on, set_by,"
                " updated_at) VALUES (?, ?, ?, ?, ?)",
                [organisation_id, module_id, due_on.isoformat(), viewer.person_id or None,
                 datetime.now(UTC).isoformat()],
            )  # fmt: skip


def due_dates(db: sqlite_utils.Database, viewer: Viewer) -> list[DueDate]:
    """The due dates of the organisations the viewer may manage."""
    rows = db.execute(
        "SELECT d.organisation_id, o.name, d.module_id, d.due_on FROM module_due_dates d"
        " JOIN organisations o ON o.id = d.organisation_id ORDER BY o.name, d.module_id"
    )
    return [DueDate(*row) for row in rows if may_manage(viewer, row[0])]


def overdue(
    rows: list[MatrixRow], dates: list[DueDate], today: date | None = None
) -> list[tuple[MatrixRow, DueDate]]:
    """(person, due date) for every module past its due date and not completed."""
    today_iso = (today or datetime.now(UTC).date()).isoformat()
    late = {}
    for due in dates:
        if due.due_on < today_iso:
            late.setdefault(due.organisation_id, []).append(due)
    return [
        (row, due)
        for row in rows
        for due in late.get(row.person.organisation_id, ())
        if row.cell(due.module_id).status != "completed"
    ]


# --- Scenario analytics ----------------------------------------------------------------------


@dataclass(frozen=True)
class PathCount:
    """How often a choice was taken at a decision node, solo or in group sessions."""

    mode: str  # solo | group
    node_id: str
    choice_index: int
    count: int


def path_analytics(
    db: sqlite_utils.Database,
    viewer: Viewer,
    scenario_id: str,
    organisation_id: int | None = None,
) -> list[PathCount]:
    """Choice counts per decision: solo plays from the events, group votes from live_votes."""
    where, params = _analytics_where(db, viewer, organisation_id)
    solo = db.execute(
        "SELECT e.node_id, e.choice_index, COUNT(*) FROM events e"
        " JOIN people p ON p.id = e.person_id"
        " WHERE e.scenario_id = ? AND e.verb = 'chose'"
        f" AND (e.play_mode IS NULL OR e.play_mode <> 'group') AND {where}"
        " GROUP BY e.node_id, e.choice_index",
        [scenario_id, *params],
    )
    group = db.execute(
        "SELECT d.node_id, v.choice, COUNT(*) FROM live_decisions d"
        " JOIN live_votes v ON v.decision_id = d.id"
        " JOIN live_participants lp ON lp.id = v.participant_id"
        f" JOIN people p ON p.id = lp.person_id WHERE d.scenario_id = ? AND {where}"
        " GROUP BY d.node_id, v.choice",
        [scenario_id, *params],
    )
    counts = [PathCount("solo", *row) for row in solo]
    return counts + [PathCount("group", *row) for row in group]


def endings(
    db: sqlite_utils.Database,
    viewer: Viewer,
    scenario_ids: list[str],
    organisation_id: int | None = None,
) -> list[tuple[str, str, str, int]]:
    """(scenario_id, mode, ending node id, plays) for the endings reached."""
    where, params = _analytics_where(db, viewer, organisation_id)
    rows = db.execute(
        "SELECT e.scenario_id, COALESCE(e.play_mode, 'solo'), e.node_id, COUNT(*) FROM events e"
        " JOIN people p ON p.id = e.person_id"
        " WHERE e.scenario_id IN (SELECT value FROM json_each(?)) AND e.verb = 'ended'"
        f" AND {where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 4 DESC",
        [json.dumps(scenario_ids), *params],
    )
    return [tuple(row) for row in rows]


def _analytics_where(
    db: sqlite_utils.Database, viewer: Viewer, organisation_id: int | None
) -> tuple[str, list]:
    scope_sql, params = scope_for(db, viewer).sql()
    if organisation_id is None:
        return scope_sql, params
    return f"{scope_sql} AND p.organisation_id = ?", [*params, organisation_id]


# --- One person --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonReport:
    person: PersonRow
    modules: dict[str, dict]
    scenarios: dict[str, dict]
    timeline: list[dict]  # events, newest first
    sessions: list[dict]  # group sessions attended: title, day, half_day, place, trainer


def person_report(db: sqlite_utils.Database, viewer: Viewer, person_id: int) -> PersonReport:
    """Everything the person page shows; NotAllowed outside the viewer's scope."""
    person = visible_person(db, viewer, person_id)
    overview = store.learner_overview(db, person_id)
    sessions = db.execute(
        "SELECT ls.id, ls.title, ls.day, ls.half_day, ls.place, t.display_name"
        " FROM live_participants lp JOIN live_sessions ls ON ls.id = lp.session_id"
        " JOIN people t ON t.id = ls.trainer_id WHERE lp.person_id = ? ORDER BY ls.day DESC",
        [person_id],
    )
    keys = ("id", "title", "day", "half_day", "place", "trainer")
    return PersonReport(
        person,
        overview.modules,
        overview.scenarios,
        store.history(db, person_id, limit=300),
        [dict(zip(keys, row, strict=True)) for row in sessions],
    )


def visible_person(db: sqlite_utils.Database, viewer: Viewer, person_id: int) -> PersonRow:
    """The person, if the viewer may see them (learner or not); otherwise NotAllowed."""
    scope_sql, params = scope_for(db, viewer).sql()
    row = db.execute(
        _PEOPLE_SQL.format(where=f"{scope_sql} AND p.id = ?"), [*params, person_id]
    ).fetchone()
    if row is None:
        raise NotAllowed(OUT_OF_SCOPE)
    return PersonRow(*row[:7], bool(row[7]))


def completed_modules(
    rows: list[MatrixRow], module_id: str | None = None
) -> list[tuple[PersonRow, str]]:
    """(person, module_id) for every completed module: the attestations to print."""
    return [
        (row.person, item)
        for row in rows
        for item, cell in row.cells.items()
        if cell.status == "completed" and module_id in (None, item)
    ]


# --- Attendance (feuilles d'émargement) -------------------------------------------------------


def visible_sessions(db: sqlite_utils.Database, viewer: Viewer) -> list[dict]:
    """Sessions opened that the viewer ran or that one of their people attended, latest first."""
    scope_sql, params = scope_for(db, viewer).sql()
    rows = db.execute(
        "SELECT ls.id, ls.title, ls.day, ls.half_day, ls.place, t.display_name FROM live_sessions ls"
        " JOIN people t ON t.id = ls.trainer_id WHERE ls.opened_at IS NOT NULL AND"
        " (ls.trainer_id = ? OR EXISTS (SELECT 1 FROM live_participants lp"
        f" JOIN people p ON p.id = lp.person_id WHERE lp.session_id = ls.id AND {scope_sql}))"
        " ORDER BY ls.day DESC, ls.id DESC",
        [viewer.person_id, *params],
    )
    keys = ("id", "title", "day", "half_day", "place", "trainer")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def attendance(db: sqlite_utils.Database, viewer: Viewer, session_id: int) -> list[dict]:
    """The session's participants the viewer may see (guests only for its trainer or all)."""
    scope = scope_for(db, viewer)
    scope_sql, params = scope.sql()
    runs = db.execute(
        "SELECT 1 FROM live_sessions WHERE id = ? AND trainer_id = ?",
        [session_id, viewer.person_id],
    ).fetchone()
    guests = "1" if scope.everyone or runs else "0"
    rows = db.execute(
        "SELECT COALESCE(p.display_name, lp.guest_name), COALESCE(o.name, ''), lp.joined_at"
        " FROM live_participants lp LEFT JOIN people p ON p.id = lp.person_id"
        " LEFT JOIN organisations o ON o.id = p.organisation_id WHERE lp.session_id = ?"
        f" AND ((lp.person_id IS NULL AND {guests}) OR (lp.person_id IS NOT NULL AND"
        f" {scope_sql})) ORDER BY 1",
        [session_id, *params],
    )
    return [{"name": n, "organisation": o, "joined_at": j} for n, o, j in rows]
